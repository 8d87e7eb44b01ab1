"""GET /identity/v3/{users,projects,roles,domains}: who sees what, in Keystone's shapes."""
import pytest


def _names(resp, key):
    assert resp.status_int == 200, resp.text
    return [item["name"] for item in resp.json[key]]


def test_admin_lists_every_project_and_others_their_own(client, users):
    assert _names(client.request("/v3/projects", token=client.token("admin")),
                  "projects") == ["ops", "p1", "p2", "p3"]
    assert _names(client.request("/v3/projects", token=client.token("alice")),
                  "projects") == ["p1", "p3"]
    assert _names(client.request("/v3/projects?name=p2", token=client.token("admin")),
                  "projects") == ["p2"]
    assert _names(client.request("/v3/projects?domain_id=other", token=client.token("admin")),
                  "projects") == []


def test_project_shape(client, users):
    project_id = users["alice"].default_project_id
    resp = client.request(f"/v3/projects/{project_id}", token=client.token("bob"))
    assert resp.status_int == 200
    assert resp.json == {"project": {
        "id": project_id, "name": "p1", "description": "Project p1", "domain_id": "default",
        "enabled": True, "is_domain": False, "parent_id": "default", "tags": [],
        "options": {},
        "links": {"self": f"http://localhost/identity/v3/projects/{project_id}"}}}
    listing = client.request("/v3/projects", token=client.token("bob")).json
    assert listing["links"] == {"self": "http://localhost/identity/v3/projects",
                                "previous": None, "next": None}


@pytest.mark.parametrize("caller, status", [("admin", 200), ("carol", 403)])
def test_other_projects_only_for_admins(client, users, caller, status):
    project_id = users["alice"].default_project_id
    resp = client.request(f"/v3/projects/{project_id}", token=client.token(caller))
    assert resp.status_int == status


def test_missing_project_is_404(client, users):
    resp = client.request("/v3/projects/nope", token=client.token("admin"))
    assert resp.status_int == 404
    assert resp.json["error"]["title"] == "Not Found"


def test_users_see_themselves_and_admins_see_everyone(client, users):
    alice = users["alice"]
    resp = client.request(f"/v3/users/{alice.id}", token=client.token("alice"))
    assert resp.json == {"user": {
        "id": alice.id, "name": "alice", "domain_id": "default", "enabled": True,
        "default_project_id": alice.default_project_id, "password_expires_at": None,
        "options": {}, "links": {"self": f"http://localhost/identity/v3/users/{alice.id}"}}}
    assert "pbkdf2" not in resp.text
    assert client.request(f"/v3/users/{alice.id}",
                          token=client.token("carol")).status_int == 403
    assert client.request(f"/v3/users/{alice.id}",
                          token=client.token("admin")).status_int == 200
    assert client.request("/v3/users/nope", token=client.token("admin")).status_int == 404


def test_projects_of_a_user(client, users):
    path = f"/v3/users/{users['alice'].id}/projects"
    assert _names(client.request(path, token=client.token("alice")), "projects") == ["p1", "p3"]
    assert client.request(path, token=client.token("bob")).status_int == 403


def test_roles_are_listed_for_admins(client, users):
    assert _names(client.request("/v3/roles", token=client.token("admin")),
                  "roles") == ["admin", "member", "reader"]
    assert _names(client.request("/v3/roles?name=reader", token=client.token("admin")),
                  "roles") == ["reader"]
    assert client.request("/v3/roles", token=client.token("alice")).status_int == 403


def test_role_ids_match_the_token_roles(client, users):
    token = client.authenticate(client.password_auth("admin")).json["token"]
    roles = client.request("/v3/roles", token=client.token("admin")).json["roles"]
    assert {r["id"] for r in token["roles"]} <= {r["id"] for r in roles}


def test_the_default_domain(client, users):
    token = client.token("bob")
    resp = client.request("/v3/domains/default", token=token)
    assert resp.json["domain"]["id"] == "default"
    assert resp.json["domain"]["name"] == "Default"
    assert client.request("/v3/domains/other", token=token).status_int == 404
    assert _names(client.request("/v3/domains?name=Default", token=token),
                  "domains") == ["Default"]
    assert _names(client.request("/v3/domains?name=Other", token=token), "domains") == []


@pytest.mark.parametrize("path", ["/v3/projects", "/v3/roles", "/v3/domains/default",
                                  "/v3/auth/projects", "/v3/auth/catalog"])
def test_resources_need_a_token(client, users, path):
    resp = client.request(path, token="bogus")
    assert resp.status_int == 401
    assert resp.json["error"]["code"] == 401
    assert resp.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_unknown_paths_and_methods_answer_in_keystone_format(client):
    resp = client.request("/v3/nothing")
    assert resp.json == {"error": {"code": 404, "title": "Not Found",
                                   "message": "The resource could not be found."}}
    resp = client.request("/v3/projects", "POST", {})
    assert resp.status_int == 405
    assert resp.json["error"]["title"] == "Method Not Allowed"
