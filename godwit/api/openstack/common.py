"""Helpers every OpenStack-style API here shares: links, paging, timestamps, query values."""
import datetime
import re
import urllib.parse
import uuid

import webob.dec
from oslo_utils import strutils

from godwit import exception
from godwit.api import wsgi
from godwit.conf import CONF
from godwit.identity import catalog

_VERSION_SEGMENT = re.compile(r"^v\d+(\.\d+)?$")


# --- links -------------------------------------------------------------------------------------

def base_url(req):
    """Where this app is reached, e.g. ``http://cloud:8774/v2.1`` ([api] public_endpoint wins)."""
    return catalog.base_url(req.host_url) + req.script_name.rstrip("/")


def bookmark_url(req):
    """``base_url`` without the version segment: Nova's version-independent bookmark links."""
    prefix, _, last = req.script_name.rstrip("/").rpartition("/")
    script = prefix if _VERSION_SEGMENT.match(last) else req.script_name.rstrip("/")
    return catalog.base_url(req.host_url) + script


def resource_links(req, collection, resource_id):
    return [{"rel": "self", "href": f"{base_url(req)}/{collection}/{resource_id}"},
            {"rel": "bookmark", "href": f"{bookmark_url(req)}/{collection}/{resource_id}"}]


def bookmark_link(req, collection, resource_id):
    return [{"rel": "bookmark", "href": f"{bookmark_url(req)}/{collection}/{resource_id}"}]


# --- paging ------------------------------------------------------------------------------------

def limit_and_marker(req, default=None):
    """``limit`` (capped by [api] max_limit; ``default`` when absent, else the cap) and
    ``marker`` from the query string."""
    limit = min(default or CONF.api.max_limit, CONF.api.max_limit)
    if "limit" in req.GET:
        try:
            limit = int(req.GET["limit"])
        except ValueError:
            raise exception.Invalid("limit param must be an integer") from None
        if limit < 0:
            raise exception.Invalid("limit param must be positive")
        limit = min(limit, CONF.api.max_limit)
    return limit, req.GET.get("marker")


def page(items, limit, marker, key):
    """The page of ``items`` (already in order) after the one whose ``key`` is ``marker``."""
    if marker is not None:
        keys = [str(key(item)) for item in items]
        if marker not in keys:
            raise exception.Invalid(f"marker [{marker}] not found")
        items = items[keys.index(marker) + 1:]
    return items[:limit]


def next_links(req, items, limit, marker_of):
    """Nova's ``<collection>_links``: a ``next`` link when the page is full, else []."""
    if not limit or len(items) < limit:
        return []
    params = [(k, v) for k, v in req.GET.items() if k != "marker"]
    params.append(("marker", marker_of(items[-1])))
    if "limit" not in req.GET:
        params.append(("limit", str(limit)))
    href = base_url(req) + req.path_info + "?" + urllib.parse.urlencode(params)
    return [{"rel": "next", "href": href}]


# --- values ------------------------------------------------------------------------------------

def is_uuid(value):
    """True for the canonical 8-4-4-4-12 form (with or without dashes, any case)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def parse_bool(value, name):
    """A query-string boolean (true/false/1/0/yes/no/on/off); anything else is a 400."""
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.Invalid(f"Invalid value '{value}' for {name}") from None


def parse_timestamp(value, name):
    """An ISO 8601 time from the query string as naive UTC (how the database stores times)."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise exception.Invalid(f"Invalid {name} value: {value}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def iso_z(moment):
    """Nova's ``created``/``updated`` format: ``2024-05-01T12:00:00Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def iso_micro(moment):
    """The format Nova gives naive timestamps such as ``updated_at`` of a service."""
    return moment.isoformat(timespec="microseconds") if moment else None


# --- apps --------------------------------------------------------------------------------------

def build_router(routes):
    """A Router from [(path, controller, {method: action})]; one Resource per controller."""
    router = wsgi.Router()
    resources = {}
    for path, controller, actions in routes:
        if id(controller) not in resources:
            resources[id(controller)] = wsgi.Resource(controller)
        router.resource_routes(path, resources[id(controller)], actions)
    return router


class PublicPaths:
    """Sends requests for exactly ``paths`` (version documents) to ``public``, which needs no
    authentication, and everything else to ``protected``."""

    def __init__(self, paths, public, protected):
        self.paths = frozenset(paths)
        self.public = public
        self.protected = protected

    def __call__(self, environ, start_response):
        app = self.public if environ.get("PATH_INFO", "") in self.paths else self.protected
        return app(environ, start_response)


class ValidQueryString:
    """A query string that is not UTF-8 is the client's error (400), not a crash later."""

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        try:
            req.GET
        except UnicodeDecodeError:
            return wsgi.fault_response(400, "The query string is not valid UTF-8.")
        return self.app
