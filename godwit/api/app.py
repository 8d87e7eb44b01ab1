"""The whole HTTP surface as one WSGI app: ``build_app()``.

    /            compute version list          (no token needed)
    /v2.1        OpenStack Compute v2.1        (token; its version document is public)
    /identity    Keystone v3 subset            (handles its own tokens)
    /image       Glance v2 read-only subset    (token; its version list is public)
    /admin/v1    godwit's admin API            (token, admins only; its version is public)

For uwsgi or gunicorn point the server at ``godwit.api.app:application`` and set
GODWIT_CONFIG_FILE (default /etc/godwit/godwit.conf).
"""
import os

import webob.dec
from oslo_middleware import request_id

from godwit.api import wsgi
from godwit.api.admin import create_app as create_admin_app
from godwit.api.identity import router as identity_router
from godwit.api.image import create_app as create_image_app
from godwit.api.middleware.auth import AuthMiddleware
from godwit.api.openstack import versions
from godwit.api.openstack.compute import create_app as create_compute_app
from godwit.compute import api as compute


class Mounts:
    """Sends each request to the app mounted at the longest matching path prefix."""

    def __init__(self, mounts):
        self.mounts = sorted(mounts.items(), key=lambda item: len(item[0]), reverse=True)

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        path = req.path_info
        for prefix, app in self.mounts:
            if prefix == "" or path == prefix or path.startswith(prefix + "/"):
                req.script_name += prefix
                req.path_info = path[len(prefix):]
                return app
        return wsgi.fault_response(404, "The resource could not be found.")


class CatchErrors:
    """The last line of defence: an error that escaped every layer is a 500 fault body."""

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        try:
            return req.get_response(self.app)
        except Exception as exc:  # noqa: BLE001 - anything unexpected is a computeFault
            return wsgi.render_exception(exc)


def build_app():
    compute_api = compute.API()
    mounts = Mounts({
        "": versions.create_app(),
        "/v2.1": create_compute_app(auth_middleware=AuthMiddleware, compute_api=compute_api),
        "/identity": identity_router.create_app(),
        "/image": create_image_app(auth_middleware=AuthMiddleware),
        "/admin": create_admin_app(auth_middleware=AuthMiddleware, compute_api=compute_api),
    })
    return request_id.RequestId(CatchErrors(mounts))


def application(environ, start_response):
    """Module-level WSGI callable for external servers; configures itself on first use."""
    global _app
    if _app is None:
        _app = _configured_app()
    return _app(environ, start_response)


_app = None


def _configured_app():
    from godwit.cmd import common
    config_file = os.environ.get("GODWIT_CONFIG_FILE", "/etc/godwit/godwit.conf")
    args = ["--config-file", config_file] if os.path.exists(config_file) else []
    common.prepare(args)
    return build_app()
