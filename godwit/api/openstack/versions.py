"""Version documents: the root list (``GET /``) and the v2.1 document (``GET /v2.1/``).

Both are served without authentication, as Nova does, so clients can discover the
microversion range before they have a token. ``GET /`` answers 200, like Nova's root (Nova
answers 300 "choices" only for other unversioned paths).
"""
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.identity import catalog

UPDATED = "2013-07-23T11:33:21Z"
MEDIA_TYPES = [{"base": "application/json",
                "type": "application/vnd.openstack.compute+json;version=2.1"}]
DESCRIBED_BY = {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}


def _v21(self_href):
    return {"id": "v2.1", "status": "CURRENT", "version": mv.to_string(mv.MAX_VERSION),
            "min_version": mv.to_string(mv.MIN_VERSION), "updated": UPDATED,
            "links": [{"rel": "self", "href": self_href}, DESCRIBED_BY],
            "media-types": MEDIA_TYPES}


class RootVersionsController:
    """``GET /`` of the whole API: the compute versions (only v2.1 is served)."""

    def index(self, req):
        base = catalog.base_url(req.host_url) + req.script_name.rstrip("/")
        version = _v21(f"{base}/v2.1/")
        return {"versions": [{key: version[key] for key in
                              ("id", "status", "version", "min_version", "updated", "links")}]}


class V21VersionController:
    """``GET /v2.1`` and ``/v2.1/``: the one version this compute API serves."""

    def show(self, req):
        return {"version": _v21(common.base_url(req) + "/")}


def create_app():
    """The root version document app; mount it at ``/`` for exactly ``/`` (and ``""``)."""
    controller = RootVersionsController()
    return common.build_router([("", controller, {"GET": "index"}),
                                ("/", controller, {"GET": "index"})])
