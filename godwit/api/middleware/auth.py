"""Token authentication for the compute, image and admin APIs.

Validates ``X-Auth-Token`` (one database lookup, nothing cached) and puts the caller's
RequestContext in ``environ[wsgi.CONTEXT_KEY]``. These APIs act on a project, so unscoped
tokens are refused like invalid ones.
"""
import webob.dec

from godwit import exception
from godwit.api import wsgi
from godwit.identity import catalog, tokens


class AuthMiddleware:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        try:
            context = tokens.validate(req.headers.get("X-Auth-Token"),
                                      req.environ.get("openstack.request_id"))
        except exception.NotAuthenticated as exc:
            return self._unauthorized(req, exc.message)
        if context.project_id is None:
            return self._unauthorized(req, "A project-scoped token is required.")
        req.environ[wsgi.CONTEXT_KEY] = context
        return self.app

    @staticmethod
    def _unauthorized(req, message):
        return wsgi.fault_response(
            401, message, headers={"WWW-Authenticate": catalog.www_authenticate(req.host_url)})
