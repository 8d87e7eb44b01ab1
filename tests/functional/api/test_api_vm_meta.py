"""Per-VM placement metadata through the admin API (``/admin/v1/vms``) and the Compute
API's ``godwit:*`` server metadata keys: what is stored, who may set it, what is refused."""
import pytest

from godwit.db import api as db
from godwit.db import models
from tests.functional.api.conftest import (
    IMAGE,
    OTHER_PROJECT,
    add_host,
    add_instance,
    count_rows,
    error_message,
    server_body,
)


def definition(**extra):
    return {"name": "web", "flavor": "1", "image": IMAGE, **extra}


@pytest.fixture
def hosts(cloud):
    add_host("host2")


def test_admin_creates_a_vm_with_its_placement_metadata(admin_api, hosts):
    resp = admin_api.post("/v1/vms", definition(
        node_limit=["host1", "host2"], node_selector="vms", autostart=False,
        migration_method="shutdown"), user="admin")
    assert resp.status_int == 202, resp.text
    vm_id = resp.json["vms"][0]["id"]
    shown = admin_api.get(f"/v1/vms/{vm_id}", user="admin").json["vm"]
    assert {key: shown[key] for key in ("name", "node_limit", "node_selector", "autostart",
                                        "migration_method", "previous_host")} == {
        "name": "web", "node_limit": ["host1", "host2"], "node_selector": "vms",
        "autostart": False, "migration_method": "shutdown", "previous_host": None}


@pytest.mark.parametrize("field, value, words", [
    ("node_limit", ["host1", "nowhere", "gone"], "Unknown host(s): nowhere, gone"),
    ("node_limit", "host1", "node_limit"),
    ("node_selector", "fastest", "node_selector"),
    ("autostart", "maybe", "autostart"),
    ("migration_method", "teleport", "migration_method"),
    ("colour", "blue", "colour"),
])
def test_a_bad_field_is_a_400_naming_it_and_creates_nothing(admin_api, field, value, words):
    before = count_rows(models.Instance)
    resp = admin_api.post("/v1/vms", definition(**{field: value}), user="admin")
    assert words in error_message(resp, 400)
    assert count_rows(models.Instance) == before


@pytest.mark.parametrize("user", ["member", "other", "reader"])
def test_only_admins_may_use_the_vm_routes(admin_api, user):
    vm = add_instance()
    for resp in (admin_api.post("/v1/vms", definition(), user=user),
                 admin_api.get(f"/v1/vms/{vm.uuid}", user=user),
                 admin_api.post(f"/v1/vms/{vm.uuid}/meta", {"autostart": False},
                                user=user)):
        assert error_message(resp, 403) == "Permission denied"
    assert db.instance_get(vm.uuid).autostart is True


def test_meta_changes_only_the_fields_given(admin_api, hosts):
    vm = add_instance(node_limit=["host1"], node_selector="load", migration_method="live")
    resp = admin_api.post(f"/v1/vms/{vm.uuid}/meta", {"autostart": False},
                          user="admin")
    assert resp.status_int == 200, resp.text
    shown = resp.json["vm"]
    assert (shown["node_limit"], shown["node_selector"], shown["autostart"],
            shown["migration_method"]) == (["host1"], "load", False, "live")
    resp = admin_api.post(f"/v1/vms/{vm.uuid}/meta",
                          {"node_limit": None, "node_selector": "memprov"}, user="admin")
    row = db.instance_get(vm.uuid)
    assert (row.node_limit, row.node_selector, row.autostart) == ([], "memprov", False)


def test_meta_with_a_bad_field_changes_nothing(admin_api, hosts):
    vm = add_instance(node_selector="load")
    resp = admin_api.post(f"/v1/vms/{vm.uuid}/meta",
                          {"node_selector": "vms", "node_limit": ["atlantis"]}, user="admin")
    assert "atlantis" in error_message(resp, 400)
    assert db.instance_get(vm.uuid).node_selector == "load"


def test_unknown_vm_is_404(admin_api):
    for resp in (admin_api.get("/v1/vms/not-a-uuid", user="admin"),
                 admin_api.post("/v1/vms/6f1e0c1e-0000-4000-8000-000000000000/meta",
                                {"autostart": True}, user="admin")):
        assert resp.status_int == 404, resp.text


def test_the_admin_view_shows_previous_host(admin_api):
    vm = add_instance(project=OTHER_PROJECT, previous_host="host2")
    shown = admin_api.get(f"/v1/vms/{vm.uuid}", user="admin").json["vm"]
    assert (shown["previous_host"], shown["host"], shown["project_id"]) == (
        "host2", "host1", OTHER_PROJECT)


# --- Compute API server metadata ----------------------------------------------------------------

def _created(api, metadata, user="member"):
    resp = api.post("/servers", server_body(metadata=metadata), user=user, version="2.37")
    assert resp.status_int == 202, resp.text
    return db.instance_get(resp.json["server"]["id"], details=True)


def test_owners_set_placement_through_server_metadata(api):
    row = _created(api, {"godwit:node_selector": "vcpus", "godwit:autostart": "false",
                         "godwit:migration_method": "none", "role": "db"})
    assert (row.node_selector, row.autostart, row.migration_method) == ("vcpus", False, "none")
    # The keys become the instance's fields; other metadata stays metadata.
    assert {item.key: item.value for item in row.metadata_items} == {"role": "db"}


def test_only_admins_may_pin_a_server_to_hosts(api, hosts):
    before = count_rows(models.Instance)
    resp = api.post("/servers",
                    server_body(metadata={"godwit:node_limit": "host1"}), user="member",
                    version="2.37")
    assert resp.status_int == 403
    assert count_rows(models.Instance) == before
    row = _created(api, {"godwit:node_limit": "host1, host2"}, user="admin")
    assert row.node_limit == ["host1", "host2"]


@pytest.mark.parametrize("key, value, words", [
    ("godwit:node_selector", "fastest", "godwit:node_selector"),
    ("godwit:autostart", "perhaps", "godwit:autostart"),
    ("godwit:migration_method", "carry", "godwit:migration_method"),
])
def test_bad_metadata_values_are_refused_naming_the_key(api, key, value, words):
    before = count_rows(models.Instance)
    resp = api.post("/servers", server_body(metadata={key: value}), version="2.37")
    assert words in error_message(resp, 400)
    assert count_rows(models.Instance) == before
