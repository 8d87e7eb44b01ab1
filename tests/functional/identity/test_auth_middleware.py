"""AuthMiddleware in front of an API: who the request is from, or a Nova-style 401."""
import datetime

import pytest
import webob
import webob.dec

from godwit.api import wsgi
from godwit.api.middleware.auth import AuthMiddleware
from godwit.db import models
from godwit.identity import tokens


@webob.dec.wsgify
def whoami(req):
    context = req.environ[wsgi.CONTEXT_KEY]
    return wsgi.json_response({key: getattr(context, key) for key in (
        "user_id", "user_name", "project_id", "project_name", "roles", "request_id",
        "is_admin")})


@pytest.fixture
def api():
    app = AuthMiddleware(whoami)

    def call(token=None, **environ):
        req = webob.Request.blank("/v2.1/servers", environ=environ)
        if token is not None:
            req.headers["X-Auth-Token"] = token
        return req.get_response(app)
    return call


def _assert_401(resp):
    assert resp.status_int == 401
    assert resp.json["unauthorized"]["code"] == 401
    assert resp.headers["WWW-Authenticate"] == 'Keystone uri="http://localhost/identity"'


def test_valid_token_sets_the_context(client, users, api):
    resp = api(client.token("bob", "p1"), **{"openstack.request_id": "req-abc"})
    assert resp.status_int == 200
    assert resp.json == {"user_id": users["bob"].id, "user_name": "bob",
                         "project_id": users["bob"].default_project_id,
                         "project_name": "p1", "roles": ["reader"],
                         "request_id": "req-abc", "is_admin": False}


def test_admin_token_gives_an_admin_context(client, users, api):
    assert api(client.token("admin")).json["is_admin"] is True


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_missing_or_unknown_token_is_401(users, api, token):
    _assert_401(api(token))


def test_expired_token_is_401(client, users, api, monkeypatch):
    token = client.token("alice")
    expires = tokens.lookup(token).expires_at
    monkeypatch.setattr(models, "utcnow", lambda: expires + datetime.timedelta(seconds=1))
    _assert_401(api(token))


def test_revoked_token_is_401(client, users, api):
    token = client.token("alice")
    tokens.revoke(token)
    _assert_401(api(token))


def test_unscoped_token_is_401(users, api):
    token, _ = tokens.issue(users["dave"])
    _assert_401(api(token))
