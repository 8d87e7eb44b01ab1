"""The small WSGI framework every API (compute, identity, image, admin) is built on.

A ``Router`` maps URLs to controller methods with ``routes``. Controller methods take
``(req, **url_params)`` and return a dict (sent as JSON), a ``Response`` or ``None``; the
status comes from ``@response(code)``. ``GodwitException`` becomes a Nova-style fault body;
any other exception is logged and becomes a 500 ``computeFault``.
"""
import json

import routes
import routes.middleware
import webob
import webob.dec
import webob.exc
from oslo_log import log as logging

from godwit import exception

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
    405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
    429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable",
}

CONTEXT_KEY = "godwit.context"
VERSION_KEY = "godwit.api_version"


class Request(webob.Request):

    @property
    def context(self):
        return self.environ.get(CONTEXT_KEY)

    @property
    def api_version(self):
        """The negotiated microversion as a (major, minor) tuple, set by the middleware."""
        return self.environ.get(VERSION_KEY, (2, 1))

    def json_body(self):
        """The request body as a JSON object, or a 400 that says what is wrong with it."""
        if not self.body:
            raise exception.Invalid(reason="The request body is empty; a JSON object is required.")
        try:
            body = json.loads(self.body)
        except ValueError as err:
            raise exception.Invalid(reason=f"Malformed request body: {err}") from None
        if not isinstance(body, dict):
            raise exception.Invalid(reason="The request body must be a JSON object.")
        return body


def response(code):
    """Sets the success status of a controller method."""
    def decorator(func):
        func.wsgi_code = code
        return func
    return decorator


def empty_response(status):
    return webob.Response(status=status, content_type=None)


def json_response(body, status=200, headers=None):
    resp = webob.Response(status=status, content_type="application/json", charset="utf-8")
    resp.body = json.dumps(body).encode("utf-8")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def fault_response(code, message, headers=None):
    name = FAULT_NAMES.get(code, "computeFault")
    return json_response({name: {"code": code, "message": message}}, status=code,
                         headers=headers)


def render_exception(exc):
    if isinstance(exc, exception.GodwitException) and exc.code < 500:
        return fault_response(exc.code, exc.message, exc.headers)
    LOG.exception("Unexpected error while serving the request")
    return fault_response(500, "Unexpected API Error. Please report this at the godwit "
                               "issue tracker and attach the godwit-api log if possible.")


class Resource:
    """Calls the controller method named by the route's ``action``."""

    def __init__(self, controller):
        self.controller = controller

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        args = dict(req.environ["wsgiorg.routing_args"][1])
        args.pop("controller", None)
        action = args.pop("action")
        args.pop("format", None)
        method = getattr(self.controller, action)
        try:
            result = method(req, **args)
        except Exception as exc:  # noqa: BLE001 - every error becomes a fault body
            return render_exception(exc)
        if isinstance(result, webob.Response):
            return result
        code = getattr(method, "wsgi_code", 200)
        if result is None:
            return empty_response(code)
        return json_response(result, status=code)


class Router:
    """A routes.Mapper whose unmatched paths and methods answer with fault bodies."""

    def __init__(self):
        self.mapper = routes.Mapper()
        self._app = routes.middleware.RoutesMiddleware(self._dispatch, self.mapper)
        self._paths = set()

    def connect(self, path, controller, action, method):
        self._paths.add(path)
        self.mapper.connect(path, controller=controller, action=action,
                            conditions={"method": [method]})

    def resource_routes(self, path, controller, actions):
        """Connects ``{method: action}`` for one path."""
        for method, action in actions.items():
            self.connect(path, controller, action, method)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        return self._app

    @webob.dec.wsgify(RequestClass=Request)
    def _dispatch(self, req):
        match = req.environ["wsgiorg.routing_args"][1]
        if not match:
            if self._path_exists(req):
                return fault_response(405, f"The method {req.method} is not allowed for "
                                           "this resource.")
            return fault_response(404, "The resource could not be found.")
        return match["controller"]

    def _path_exists(self, req):
        path = req.path_info
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"):
            if self.mapper.match(path, environ={"REQUEST_METHOD": method}):
                return True
        return False
