"""Keystone's error format for the identity API.

The shared WSGI framework renders errors as Nova faults (``{"itemNotFound": {...}}``);
Keystone clients expect ``{"error": {"code", "message", "title"}}`` and, on 401, a
``WWW-Authenticate`` header. This middleware rewrites the one into the other at the edge.
"""
import http

import webob.dec

from godwit.api import wsgi
from godwit.identity import catalog


def error_response(code, message, headers=None):
    title = http.HTTPStatus(code).phrase
    return wsgi.json_response({"error": {"code": code, "message": message, "title": title}},
                              status=code, headers=headers)


def _fault_message(resp):
    """The message of a Nova-style fault body, or None if ``resp`` is not one."""
    if resp.status_code < 400 or resp.content_type != "application/json":
        return None
    try:
        body = resp.json_body
    except ValueError:
        return None
    if not isinstance(body, dict) or len(body) != 1:
        return None
    fault = next(iter(body.values()))
    return fault.get("message") if isinstance(fault, dict) else None


class KeystoneErrors:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        resp = req.get_response(self.app)
        message = _fault_message(resp)
        if message is None:
            return resp
        headers = {}
        if resp.status_code == 401:
            headers["WWW-Authenticate"] = catalog.www_authenticate(req.host_url)
        return error_response(resp.status_code, message, headers)
