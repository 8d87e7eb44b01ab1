"""Glance's version list: ``GET /`` (300 Multiple Choices, like Glance) and ``/versions``.

Only v2.0 is listed: godwit serves the read-only core of the v2 images API and none of the
features later v2 minor versions added (import, stores, tasks, ...).
"""
from godwit.api import wsgi
from godwit.api.openstack import common


def versions(req):
    return {"versions": [{"id": "v2.0", "status": "CURRENT",
                          "links": [{"rel": "self", "href": f"{common.base_url(req)}/v2/"}]}]}


class VersionsController:

    @wsgi.response(300)
    def choices(self, req):
        return versions(req)

    def index(self, req):
        return versions(req)
