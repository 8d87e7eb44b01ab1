"""``/os-migrations`` and ``/servers/{id}/migrations``: Nova's fields per microversion, the
filters, paging, and who may look."""
import pytest

from tests.unit.api.conftest import OTHER_SERVER, SERVER

MIGRATIONS = f"/servers/{SERVER}/migrations"
V21_FIELDS = {"id", "source_node", "dest_node", "source_compute", "dest_compute",
              "dest_host", "status", "instance_uuid", "old_instance_type_id",
              "new_instance_type_id", "created_at", "updated_at"}


@pytest.fixture
def two(compute_api, make_migration):
    compute_api.migrations = [make_migration(2), make_migration(1, status="finished")]
    return compute_api.migrations


@pytest.mark.parametrize("version, extra", [
    ("2.1", set()), ("2.22", set()), ("2.23", {"migration_type"}),
    ("2.58", {"migration_type"}), ("2.59", {"migration_type", "uuid"})])
def test_os_migrations_fields_per_version(call, two, version, extra):
    resp = call("GET", "/os-migrations", version=version, roles=("admin",))
    assert resp.status_code == 200
    items = resp.json["migrations"]
    assert [set(item) for item in items] == [V21_FIELDS | extra] * 2


def test_os_migration_values(call, two):
    item = call("GET", "/os-migrations", version="2.59", roles=("admin",)).json[
        "migrations"][0]
    assert item == {
        "id": 2, "uuid": two[0].uuid, "instance_uuid": SERVER, "migration_type": "resize",
        "status": "migrating", "source_compute": "h1", "source_node": "h1",
        "dest_compute": "h2", "dest_node": "h2", "dest_host": "10.0.0.2",
        "old_instance_type_id": 7, "new_instance_type_id": 8,
        "created_at": "2024-05-01T12:00:00.000000",
        "updated_at": "2024-05-01T12:00:30.000005"}


def test_os_migrations_filters(call, compute_api, two):
    call("GET", "/os-migrations?host=h1&status=migrating&instance_uuid=x&source_compute=h3"
                "&migration_type=resize&hidden=0&bogus=1", roles=("admin",))
    assert compute_api.calls[-1] == (
        "list_migrations", ({"host": "h1", "status": "migrating", "instance_uuid": "x",
                             "source_host": "h3", "migration_type": "resize"},),
        {"limit": None, "marker": None})


def test_from_2_59_unknown_parameters_are_a_400(call, two):
    resp = call("GET", "/os-migrations?bogus=1", version="2.59", roles=("admin",))
    assert resp.status_code == 400
    assert "bogus" in resp.json["badRequest"]["message"]
    assert call("GET", "/os-migrations?bogus=1", version="2.58",
                roles=("admin",)).status_code == 200


def test_paging_from_2_59(call, compute_api, two):
    resp = call("GET", f"/os-migrations?limit=2&changes-since=2024-05-01T14:00:00%2B02:00"
                       f"&marker={two[0].uuid}", version="2.59", roles=("admin",))
    name, (filters,), paging = compute_api.calls[-1]
    assert paging == {"limit": 2, "marker": two[0].uuid}
    assert filters["changes_since"].isoformat() == "2024-05-01T12:00:00"
    [link] = resp.json["migrations_links"]
    assert link["rel"] == "next"
    assert link["href"].startswith("http://localhost/v2.1/os-migrations?limit=2&")
    assert link["href"].endswith(f"&marker={two[1].uuid}")
    assert "migrations_links" not in call("GET", "/os-migrations?limit=3", version="2.59",
                                          roles=("admin",)).json
    assert "migrations_links" not in call("GET", "/os-migrations?limit=2", version="2.58",
                                          roles=("admin",)).json


@pytest.mark.parametrize("query", ["limit=x", "limit=-1", "changes-since=yesterday"])
def test_bad_paging_values_are_a_400(call, two, query):
    resp = call("GET", f"/os-migrations?{query}", version="2.59", roles=("admin",))
    assert resp.status_code == 400


@pytest.mark.parametrize("method, path, version", [
    ("GET", "/os-migrations", "2.1"), ("GET", MIGRATIONS, "2.23"),
    ("GET", f"{MIGRATIONS}/2", "2.23"), ("DELETE", f"{MIGRATIONS}/2", "2.24")])
def test_only_admins(call, compute_api, two, method, path, version):
    assert call(method, path, version=version).status_code == 403
    assert call(method, path, version=version, roles=("admin",)).status_code in (200, 202)


def test_server_migrations_in_progress(call, compute_api, two):
    resp = call("GET", MIGRATIONS, version="2.23", roles=("admin",))
    assert compute_api.calls[-1] == ("list_migrations",
                                     ({"instance_uuid": SERVER, "open": True},),
                                     {"limit": None, "marker": None})
    item = resp.json["migrations"][0]
    assert item == {
        "id": 2, "server_uuid": SERVER, "status": "migrating", "source_compute": "h1",
        "source_node": "h1", "dest_compute": "h2", "dest_node": "h2",
        "dest_host": "10.0.0.2", "disk_total_bytes": 1000, "disk_processed_bytes": 250,
        "disk_remaining_bytes": 750, "memory_total_bytes": 0, "memory_processed_bytes": 0,
        "memory_remaining_bytes": 0, "created_at": "2024-05-01T12:00:00.000000",
        "updated_at": "2024-05-01T12:00:30.000005"}
    latest = call("GET", f"{MIGRATIONS}/2", version="2.59", roles=("admin",)).json
    assert latest["migration"]["uuid"] == two[0].uuid


@pytest.mark.parametrize("method, path, version", [
    ("GET", MIGRATIONS, "2.22"), ("GET", f"{MIGRATIONS}/2", "2.22"),
    ("DELETE", f"{MIGRATIONS}/2", "2.23")])
def test_server_migrations_need_their_microversion(call, two, method, path, version):
    assert call(method, path, version=version, roles=("admin",)).status_code == 404


def test_show_is_404_for_ended_or_foreign_or_unknown_migrations(call, compute_api,
                                                                make_migration):
    compute_api.migrations = [make_migration(3, instance_uuid=OTHER_SERVER),
                              make_migration(1, status="finished")]
    for migration_id in ("3", "1", "9"):
        resp = call("GET", f"{MIGRATIONS}/{migration_id}", version="2.23", roles=("admin",))
        assert resp.status_code == 404
        assert "itemNotFound" in resp.json


def test_abort_cancels_only_this_servers_migration(call, compute_api, make_migration):
    compute_api.migrations = [make_migration(3, instance_uuid=OTHER_SERVER),
                              make_migration(2)]
    assert call("DELETE", f"{MIGRATIONS}/3", version="2.24",
                roles=("admin",)).status_code == 404
    resp = call("DELETE", f"{MIGRATIONS}/2", version="2.24", roles=("admin",))
    assert resp.status_code == 202
    assert compute_api.calls == [("cancel_migration", (compute_api.migrations[1].uuid,), {})]


def test_abort_too_late_is_a_409(call, compute_api, two):
    from godwit import exception
    compute_api.errors["cancel_migration"] = exception.Conflict("too late")
    resp = call("DELETE", f"{MIGRATIONS}/2", version="2.24", roles=("admin",))
    assert resp.status_code == 409


def test_a_server_nobody_may_see_is_404(call, two):
    resp = call("GET", f"/servers/{OTHER_SERVER}/migrations", version="2.23")
    assert resp.status_code == 404
    assert call("GET", "/servers/not-a-uuid/migrations", version="2.23",
                roles=("admin",)).status_code == 404
