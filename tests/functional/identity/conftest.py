"""The identity API in-process (webob requests) over a fresh SQLite database per test.

The database fixture ``sqlite_db`` is tests/conftest.py's.
"""
import json

import pytest
import webob

from godwit.api.identity import create_app
from godwit.db import identity as db
from godwit.identity import bootstrap, passwords

PASSWORD = "pw"
BASE_URL = "http://localhost/identity"




@pytest.fixture
def users(sqlite_db):
    """admin (admin on ops), alice (member of p1 and p3), bob (reader of p1), carol (member
    of p2), dave (no default project, no roles). Every password is ``pw``."""
    for name in ("ops", "p1", "p2", "p3"):
        bootstrap.create_project(name, f"Project {name}")
    for name, project, role in (("admin", "ops", "admin"), ("alice", "p1", "member"),
                                ("bob", "p1", "reader"), ("carol", "p2", "member")):
        bootstrap.create_user(name, PASSWORD, project, role)
    bootstrap.add_role("alice", "p3", "member")
    db.user_create("dave", passwords.hash_password(PASSWORD))
    return {name: db.user_get_by_name(name) for name in ("admin", "alice", "bob", "carol",
                                                         "dave")}


class Client:
    """Requests to the identity app as mounted at /identity."""

    def __init__(self, app):
        self.app = app

    @staticmethod
    def password_auth(name, password=PASSWORD, project=None):
        """A Keystone v3 password auth body, scoped to ``project`` (a name) if given."""
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": name, "domain": {"name": "Default"}, "password": password}}}}}
        if project is not None:
            body["auth"]["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
        return body

    def request(self, path, method="GET", body=None, token=None, headers=None):
        req = webob.Request.blank(path, base_url=BASE_URL, method=method,
                                  headers=headers or {})
        if token is not None:
            req.headers["X-Auth-Token"] = token
        if body is not None:
            req.body = body if isinstance(body, bytes) else json.dumps(body).encode()
            req.content_type = "application/json"
        return req.get_response(self.app)

    def authenticate(self, body):
        return self.request("/v3/auth/tokens", "POST", body)

    def token(self, name, project=None):
        """A token for ``name`` (scoped to ``project``, else the default scope)."""
        resp = self.authenticate(self.password_auth(name, project=project))
        assert resp.status_int == 201, resp.text
        return resp.headers["X-Subject-Token"]


@pytest.fixture
def client():
    return Client(create_app())
