"""POST/GET/HEAD/DELETE /identity/v3/auth/tokens and version discovery, as Keystone does them."""
import datetime

import pytest

from godwit.conf import CONF

VERSION = {
    "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
    "links": [{"rel": "self", "href": "http://localhost/identity/v3/"}],
    "media-types": [{"base": "application/json",
                     "type": "application/vnd.openstack.identity-v3+json"}],
}


def _time(value):
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.parametrize("path", ["", "/"])
def test_root_lists_versions_with_300(client, path):
    resp = client.request(path)
    assert resp.status_int == 300
    assert resp.json == {"versions": {"values": [VERSION]}}


@pytest.mark.parametrize("path", ["/v3", "/v3/"])
def test_v3_document(client, path):
    resp = client.request(path)
    assert resp.status_int == 200
    assert resp.json == {"version": VERSION}


def test_version_links_follow_public_endpoint(client):
    CONF.set_override("public_endpoint", "https://cloud.example.com", group="api")
    try:
        href = client.request("/v3").json["version"]["links"][0]["href"]
    finally:
        CONF.clear_override("public_endpoint", group="api")
    assert href == "https://cloud.example.com/identity/v3/"


def test_password_auth_returns_a_scoped_token_with_catalog(client, users):
    resp = client.authenticate(client.password_auth("alice", project="p1"))
    assert resp.status_int == 201
    token = resp.json["token"]
    assert resp.headers["X-Subject-Token"]
    assert token["methods"] == ["password"]
    assert token["user"] == {"id": users["alice"].id, "name": "alice",
                             "domain": {"id": "default", "name": "Default"},
                             "password_expires_at": None}
    assert token["project"] == {"id": users["alice"].default_project_id, "name": "p1",
                                "domain": {"id": "default", "name": "Default"}}
    assert [role["name"] for role in token["roles"]] == ["member"]
    assert len(token["audit_ids"]) == 1
    lifetime = _time(token["expires_at"]) - _time(token["issued_at"])
    assert lifetime == datetime.timedelta(seconds=CONF.identity.token_expiration)
    services = {entry["type"]: entry for entry in token["catalog"]}
    assert {(t, e["name"]) for t, e in services.items()} == {
        ("compute", "nova"), ("image", "glance"), ("identity", "keystone")}
    public = [ep for ep in services["compute"]["endpoints"] if ep["interface"] == "public"]
    assert public[0]["url"] == "http://localhost/v2.1"


@pytest.mark.parametrize("user_ref, project_ref", [
    (lambda u: {"id": u["alice"].id}, lambda u: {"id": u["alice"].default_project_id}),
    (lambda u: {"name": "alice", "domain": {"id": "default"}},
     lambda u: {"name": "p3", "domain": {"name": "Default"}}),
])
def test_users_and_projects_may_be_named_by_id_or_name(client, users, user_ref, project_ref):
    body = client.password_auth("alice")
    body["auth"]["identity"]["password"]["user"] = {**user_ref(users), "password": "pw"}
    body["auth"]["scope"] = {"project": project_ref(users)}
    resp = client.authenticate(body)
    assert resp.status_int == 201, resp.text
    assert resp.json["token"]["user"]["id"] == users["alice"].id


def test_without_scope_the_default_project_is_used(client, users):
    resp = client.authenticate(client.password_auth("bob"))
    assert resp.status_int == 201
    assert resp.json["token"]["project"]["name"] == "p1"
    assert [role["name"] for role in resp.json["token"]["roles"]] == ["reader"]


def test_nocatalog_leaves_the_catalog_out(client, users):
    resp = client.request("/v3/auth/tokens?nocatalog", "POST",
                          client.password_auth("alice", project="p1"))
    assert resp.status_int == 201
    assert "catalog" not in resp.json["token"]


def test_user_without_default_project_gets_an_unscoped_token(client, users):
    resp = client.authenticate(client.password_auth("dave"))
    assert resp.status_int == 201, resp.text
    token = resp.json["token"]
    assert token["user"]["name"] == "dave"
    assert not {"project", "roles", "catalog"} & set(token)
    unscoped = resp.headers["X-Subject-Token"]
    assert client.request("/v3/auth/projects", token=unscoped).json["projects"] == []
    assert client.request("/v3/auth/catalog", token=unscoped).status_int == 403


def _assert_unauthorized(resp):
    assert resp.status_int == 401
    assert resp.json == {"error": {
        "code": 401, "title": "Unauthorized",
        "message": "The request you have made requires authentication."}}
    assert resp.headers["WWW-Authenticate"] == 'Keystone uri="http://localhost/identity"'


@pytest.mark.parametrize("name, password", [("alice", "wrong"), ("nobody", "pw")])
def test_wrong_password_and_unknown_user_are_the_same_401(client, users, name, password):
    _assert_unauthorized(client.authenticate(client.password_auth(name, password)))


def test_unknown_domain_is_401(client, users):
    body = client.password_auth("alice")
    body["auth"]["identity"]["password"]["user"]["domain"] = {"name": "Elsewhere"}
    _assert_unauthorized(client.authenticate(body))


@pytest.mark.parametrize("project", ["p2", "no-such-project"])
def test_project_without_a_role_is_401(client, users, project):
    resp = client.authenticate(client.password_auth("alice", project=project))
    assert resp.status_int == 401
    assert resp.json["error"]["title"] == "Unauthorized"


def test_domain_scope_is_not_supported(client, users):
    body = client.password_auth("admin")
    body["auth"]["scope"] = {"domain": {"id": "default"}}
    assert client.authenticate(body).status_int == 401


@pytest.mark.parametrize("mutate, field", [
    (lambda a: a["identity"]["password"]["user"].pop("password"),
     "auth.identity.password.user"),
    (lambda a: a["identity"].update(methods=["totp"]), "auth.identity.methods.0"),
    (lambda a: a["identity"].update(methods=[]), "auth.identity.methods"),
    (lambda a: a["identity"].pop("password"), "auth.identity"),
    (lambda a: a["identity"]["password"]["user"].update(password=7),
     "auth.identity.password.user.password"),
    (lambda a: a.update(scope={"project": {"name": "p1"}}), "auth.scope.project"),
    (lambda a: a.update(scope="everything"), "auth.scope"),
    (lambda a: a.pop("identity"), "auth"),
])
def test_malformed_body_is_400_naming_the_field(client, users, mutate, field):
    body = client.password_auth("alice")
    mutate(body["auth"])
    resp = client.authenticate(body)
    assert resp.status_int == 400, resp.text
    assert resp.json["error"]["title"] == "Bad Request"
    assert f"field/attribute {field}." in resp.json["error"]["message"]


def test_validation_errors_never_repeat_the_password(client, users):
    body = client.password_auth("alice", password="s3cret" * 1000)
    resp = client.authenticate(body)
    assert resp.status_int == 400
    assert "s3cret" not in resp.text
    assert "password.user.password" in resp.json["error"]["message"]


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1, 2]"])
def test_body_that_is_not_a_json_object_is_400(client, raw):
    resp = client.authenticate(raw)
    assert resp.status_int == 400
    assert resp.json["error"]["code"] == 400


def test_validate_own_token(client, users):
    token = client.token("alice", "p1")
    resp = client.request("/v3/auth/tokens", token=token, headers={"X-Subject-Token": token})
    assert resp.status_int == 200
    assert resp.headers["X-Subject-Token"] == token
    assert resp.json["token"]["project"]["name"] == "p1"
    assert "catalog" in resp.json["token"]
    head = client.request("/v3/auth/tokens", "HEAD", token=token,
                          headers={"X-Subject-Token": token})
    assert (head.status_int, head.body) == (200, b"")


def test_only_admins_validate_other_users_tokens(client, users):
    alice, carol, admin = (client.token("alice"), client.token("carol"),
                           client.token("admin"))
    denied = client.request("/v3/auth/tokens", token=carol, headers={"X-Subject-Token": alice})
    assert denied.status_int == 403
    assert denied.json["error"]["title"] == "Forbidden"
    allowed = client.request("/v3/auth/tokens", token=admin, headers={"X-Subject-Token": alice})
    assert allowed.json["token"]["user"]["name"] == "alice"


def test_validating_an_unknown_token_is_404_and_without_credentials_401(client, users):
    admin = client.token("admin")
    resp = client.request("/v3/auth/tokens", token=admin, headers={"X-Subject-Token": "bogus"})
    assert resp.status_int == 404
    assert resp.json["error"]["title"] == "Not Found"
    assert client.request("/v3/auth/tokens", "HEAD", token=admin,
                          headers={"X-Subject-Token": "bogus"}).status_int == 404
    assert client.request("/v3/auth/tokens", headers={"X-Subject-Token": admin}
                          ).status_int == 401
    assert client.request("/v3/auth/tokens", token=admin).status_int == 400


def test_revoked_token_is_dead(client, users):
    token = client.token("alice")
    resp = client.request("/v3/auth/tokens", "DELETE", token=token,
                          headers={"X-Subject-Token": token})
    assert resp.status_int == 204
    assert client.request("/v3/auth/projects", token=token).status_int == 401


def test_token_method_rescopes_without_extending_the_lifetime(client, users):
    parent = client.authenticate(client.password_auth("alice", project="p1"))
    body = {"auth": {"identity": {"methods": ["token"], "token": {
        "id": parent.headers["X-Subject-Token"]}},
        "scope": {"project": {"name": "p3", "domain": {"id": "default"}}}}}
    resp = client.authenticate(body)
    assert resp.status_int == 201, resp.text
    assert resp.json["token"]["methods"] == ["token"]
    assert resp.json["token"]["project"]["name"] == "p3"
    assert resp.json["token"]["expires_at"] == parent.json["token"]["expires_at"]
    body["auth"]["identity"]["token"]["id"] = "bogus"
    assert client.authenticate(body).status_int == 401


def test_catalog_and_projects_of_the_caller(client, users):
    token = client.token("alice", "p1")
    catalog = client.request("/v3/auth/catalog", token=token).json["catalog"]
    assert sorted(entry["type"] for entry in catalog) == ["compute", "identity", "image"]
    projects = client.request("/v3/auth/projects", token=token).json["projects"]
    assert [p["name"] for p in projects] == ["p1", "p3"]
