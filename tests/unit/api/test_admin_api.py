"""The admin API ``/admin/v1``: routes, rules, bodies, the migration view and paging."""
import pytest

from godwit import exception
from godwit.api.admin import views
from tests.unit.api.conftest import SERVER

SERVER_PATH = f"/v1/servers/{SERVER}"


def admin(call, method, path, body=None, roles=("admin",)):
    return call(method, path, body, roles=roles, app="admin")


@pytest.mark.parametrize("path, body, code, made", [
    ("/resize", {"flavor": "2"}, 202, ("resize", (SERVER, "2"), {"host": None})),
    ("/resize", {"flavor": "2", "host": "h2"}, 202, ("resize", (SERVER, "2"), {"host": "h2"})),
    ("/cold-migrate", None, 202, ("migrate", (SERVER,), {"host": None})),
    ("/cold-migrate", {}, 202, ("migrate", (SERVER,), {"host": None})),
    ("/cold-migrate", {"host": "h2"}, 202, ("migrate", (SERVER,), {"host": "h2"})),
    ("/confirm-resize", None, 204, ("confirm_resize", (SERVER,), {})),
    ("/revert-resize", None, 202, ("revert_resize", (SERVER,), {})),
])
def test_server_moves(call, compute_api, path, body, code, made):
    resp = admin(call, "POST", SERVER_PATH + path, body)
    assert resp.status_code == code, resp.text
    assert resp.body == b""
    assert compute_api.calls == [made]


@pytest.mark.parametrize("path, body, words", [
    ("/resize", None, "a JSON object is required"),
    ("/resize", {}, "'flavor' is a required property"),
    ("/resize", {"flavor": 2}, "field/attribute flavor"),
    ("/resize", {"flavor": ""}, "field/attribute flavor"),
    ("/resize", {"flavor": "2", "host": ""}, "field/attribute host"),
    ("/resize", {"flavor": "2", "size": 1}, "('size' was unexpected)"),
    ("/cold-migrate", {"host": 7}, "field/attribute host"),
    ("/cold-migrate", {"host": "h" * 256}, "field/attribute host"),
    ("/cold-migrate", {"hots": "h2"}, "('hots' was unexpected)"),
    ("/cold-migrate", b"[]", "must be a JSON object"),
])
def test_bad_bodies_are_400s_naming_the_field(call, compute_api, path, body, words):
    resp = admin(call, "POST", SERVER_PATH + path, body)
    assert resp.status_code == 400
    assert words in resp.json["badRequest"]["message"]
    assert compute_api.calls == []


@pytest.mark.parametrize("method, path", [
    ("POST", SERVER_PATH + "/resize"), ("POST", SERVER_PATH + "/cold-migrate"),
    ("POST", SERVER_PATH + "/confirm-resize"), ("POST", SERVER_PATH + "/revert-resize"),
    ("GET", SERVER_PATH + "/migrations"), ("GET", "/v1/migrations"),
    ("GET", "/v1/migrations/1"), ("POST", "/v1/migrations/1/cancel")])
def test_everything_is_for_admins_only(call, compute_api, method, path):
    resp = admin(call, method, path, {"bad": "body"}, roles=("member",))
    assert resp.status_code == 403
    assert resp.json == {"forbidden": {"code": 403, "message": "Permission denied"}}
    assert compute_api.calls == []


def test_routing(call, compute_api, make_migration):
    compute_api.migrations = [make_migration(1)]
    assert admin(call, "GET", "/v1/migrations/1").json["migration"]["id"] == \
        compute_api.migrations[0].uuid
    assert admin(call, "GET", f"/v1/migrations/{compute_api.migrations[0].uuid}").status_code \
        == 200
    assert admin(call, "GET", "/v1/migrations/9").status_code == 404
    assert admin(call, "DELETE", "/v1/migrations/1").status_code == 405
    assert admin(call, "POST", SERVER_PATH + "/teleport").status_code == 404
    assert admin(call, "POST", "/v1/servers/nope/resize", {"flavor": "2"}).status_code == 404
    version = admin(call, "GET", "/v1").json["version"]
    assert version["links"] == [{"rel": "self", "href": "http://localhost/admin/v1"}]


def test_cancel(call, compute_api):
    assert admin(call, "POST", "/v1/migrations/5/cancel").status_code == 202
    compute_api.errors["cancel_migration"] = exception.Conflict("past migrating_step2")
    assert admin(call, "POST", "/v1/migrations/5/cancel").status_code == 409
    assert [name for name, _, _ in compute_api.calls] == ["cancel_migration"] * 2


def test_server_migrations_are_all_of_them(call, compute_api, make_migration):
    compute_api.migrations = [make_migration(2), make_migration(1, status="finished")]
    resp = admin(call, "GET", SERVER_PATH + "/migrations")
    assert [item["status"] for item in resp.json["migrations"]] == ["migrating", "finished"]
    assert compute_api.calls == [("list_migrations", ({"instance_uuid": SERVER},),
                                  {"limit": None, "marker": None})]


def test_migration_view(make_migration):
    row = make_migration(4, outcome="confirmed", status="finished", error=None)
    assert views.migration(row) == {
        "id": row.uuid, "server_id": SERVER, "type": "resize", "status": "finished",
        "outcome": "confirmed", "source_host": "h1", "dest_host": "h2",
        "next_step_host": "h1",
        "old_flavor": {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1},
        "new_flavor": {"id": "2", "name": "m1.small", "vcpus": 2, "ram": 1024, "disk": 2},
        "bytes_total": 1000, "bytes_transferred": 250, "progress": 25, "error": None,
        "created_at": "2024-05-01T12:00:00Z", "updated_at": "2024-05-01T12:00:30Z"}


@pytest.mark.parametrize("total, done, status, progress", [
    (1000, 0, "migrating", 0), (1000, 999, "migrating", 99), (1000, 1000, "finished", 100),
    (3, 1, "migrating", 33), (0, 0, "pre-migrating", 0), (0, 0, "migrating_step2", 0),
    (0, 0, "verify-migration", 100), (0, 0, "finished", 100), (0, 0, "error", 0),
    (10, 20, "post-migrating", 100)])
def test_progress(make_migration, total, done, status, progress):
    row = make_migration(bytes_total=total, bytes_transferred=done, status=status)
    assert views.progress(row) == progress


@pytest.mark.parametrize("query, filters, limit", [
    ("", {}, 100),
    ("host=h1&server=" + SERVER + "&type=migration&limit=1000",
     {"host": "h1", "instance_uuid": SERVER, "migration_type": "migration"}, 1000),
    ("status=migrating&status=error", {"status": ["migrating", "error"]}, 100),
    ("open=true", {"open": True}, 100),
    ("open=false", {"status": ["finished", "error", "cancelled"]}, 100),
    ("open=false&status=error&status=migrating", {"status": ["error"]}, 100),
])
def test_list_filters(call, compute_api, query, filters, limit):
    resp = admin(call, "GET", f"/v1/migrations?{query}")
    assert resp.status_code == 200
    assert compute_api.calls == [("list_migrations", (filters,),
                                  {"limit": limit + 1, "marker": None})]


def test_a_filter_that_can_match_nothing_asks_nobody(call, compute_api):
    resp = admin(call, "GET", "/v1/migrations?open=false&status=migrating")
    assert resp.json == {"migrations": [], "next": None}
    assert compute_api.calls == []


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"),
    ("limit=1&limit=2", "limit"), ("marker=abc", "marker"), ("server=abc", "server"),
    ("status=queued", "status"), ("status=migrating&status=bogus", "status"),
    ("type=live", "type"), ("open=yes", "open"), ("host=", "host"), ("hots=h1", "hots")])
def test_bad_queries_are_400s_naming_the_parameter(call, compute_api, query, field):
    resp = admin(call, "GET", f"/v1/migrations?{query}")
    assert resp.status_code == 400
    assert field in resp.json["badRequest"]["message"]
    assert compute_api.calls == []


def test_next_link_until_the_last_page(call, compute_api, make_migration):
    compute_api.migrations = [make_migration(3), make_migration(2), make_migration(1)]
    marker = compute_api.migrations[0].uuid
    resp = admin(call, "GET", f"/v1/migrations?limit=2&host=h1&marker={marker}")
    assert len(resp.json["migrations"]) == 2
    assert resp.json["next"] == ("http://localhost/admin/v1/migrations?limit=2&host=h1"
                                 f"&marker={compute_api.migrations[1].uuid}")
    assert compute_api.calls[-1][2] == {"limit": 3, "marker": marker}
    assert admin(call, "GET", "/v1/migrations?limit=3").json["next"] is None
    default = admin(call, "GET", "/v1/migrations").json
    assert default["next"] is None and len(default["migrations"]) == 3


def test_an_unknown_marker_is_a_400(call, compute_api):
    compute_api.list_migrations = _raises(exception.MarkerNotFound(marker="m"))
    assert admin(call, "GET", "/v1/migrations").status_code == 400


def _raises(error):
    def raise_(*args, **kwargs):
        raise error
    return raise_
