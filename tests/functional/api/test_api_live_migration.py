"""Hosts for migration and live migration through the admin API: every rule and error, as
an admin, a member, and a member of another project (the compute workers are fakes that
record the cast; tests/functional/test_live_migration_aio.py moves a real simulated VM)."""
import pytest

from godwit.compute import states
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.db.session import writer
from tests.functional.api.conftest import (
    OTHER_PROJECT,
    add_host,
    add_instance,
    error_message,
)

NOT_ADMINS = ("member", "other")
MISSING = "0b7c6a5e-1d2f-4a3b-8c9d-0e1f2a3b4c5d"


def _cluster(name, pod=None):
    """An Enabled cluster (in a new Enabled zone and pod unless ``pod`` is given)."""
    if pod is None:
        zone = hierarchy.create(models.Zone, {"name": f"zone-{name}",
                                              "allocation_state": "Enabled"}).row
        pod = hierarchy.create(models.Pod, {"name": "pod", "allocation_state": "Enabled"},
                               zone.uuid).row.uuid
    return hierarchy.create(models.Cluster, {"name": name, "hypervisor_type": "xen",
                                             "allocation_state": "Enabled"}, pod).row


def _place(name, cluster, **values):
    add_host(name)
    with writer() as session:
        session.query(models.Host).filter_by(name=name).update(
            dict({"cluster_id": cluster.id, "allocation_state": "Enabled"}, **values))
    return db.host_get(name)


@pytest.fixture
def pool(cloud):
    """host1 (the server's) with pool-2, pool-3 and pool-4 in cluster pool-a; lone-1 in
    another cluster; a shared-storage server on host1."""
    cluster = _cluster("pool-a")
    hosts = {name: _place(name, cluster) for name in ("host1", "pool-2", "pool-3", "pool-4")}
    hosts["lone-1"] = _place("lone-1", _cluster("pool-b"))
    server = add_instance(storage_kind="shared")
    return {"hosts": hosts, "server": server}


def _hosts_url(server_id, query=""):
    return f"/v1/servers/{server_id}/migration-hosts{query}"


def _migrate(admin_api, server_id, host, user="admin"):
    return admin_api.post(f"/v1/servers/{server_id}/migrate", {"host": host}, user=user)


# --- hosts for migration -------------------------------------------------------------------


def test_migration_hosts_lists_the_cluster_but_the_current_host_and_the_suitable(
        admin_api, pool):
    hosts = pool["hosts"]
    with writer() as session:  # pool-3 is full, pool-4 disabled
        session.query(models.Host).filter_by(name="pool-3").update({"vcpus_used": 8 * 16})
        session.query(models.Host).filter_by(name="pool-4").update(
            {"allocation_state": "Disabled"})
    resp = admin_api.get(_hosts_url(pool["server"].uuid), user="admin")
    assert resp.status_int == 200, resp.text
    body = resp.json
    assert [h["name"] for h in body["hosts"]] == ["pool-2", "pool-3", "pool-4"]
    assert body["count"] == 3
    assert body["suitable_host_ids"] == [hosts["pool-2"].uuid]
    assert body["hosts"][0]["id"] == hosts["pool-2"].uuid


def test_migration_hosts_pages_with_start_and_limit(admin_api, pool):
    server = pool["server"].uuid
    first = admin_api.get(_hosts_url(server, "?limit=2"), user="admin").json
    rest = admin_api.get(_hosts_url(server, "?start=2&limit=2"), user="admin").json
    assert [h["name"] for h in first["hosts"]] == ["pool-2", "pool-3"]
    assert [h["name"] for h in rest["hosts"]] == ["pool-4"]
    assert first["count"] == rest["count"] == 3
    assert rest["start"] == 2
    # The suitable ones are every one of the cluster, whatever the page.
    assert len(rest["suitable_host_ids"]) == 3


@pytest.mark.parametrize("query, field", [("?start=-1", "start"), ("?start=x", "start"),
                                          ("?limit=0", "limit"), ("?limit=1001", "limit"),
                                          ("?limit=1&limit=2", "limit"),
                                          ("?marker=1", "marker")])
def test_migration_hosts_refuses_bad_paging_naming_the_parameter(admin_api, pool, query,
                                                                 field):
    message = error_message(admin_api.get(_hosts_url(pool["server"].uuid, query), user="admin"),
                       400)
    assert field in message


def test_migration_hosts_of_a_server_on_local_storage_says_it_cannot_live_migrate(
        admin_api, pool):
    local = add_instance(name="local")
    message = error_message(admin_api.get(_hosts_url(local.uuid), user="admin"), 409)
    assert "cannot be live-migrated" in message and "local storage" in message


@pytest.mark.parametrize("user", NOT_ADMINS)
def test_migration_hosts_is_for_admins_only(admin_api, pool, user):
    assert error_message(admin_api.get(_hosts_url(pool["server"].uuid), user=user),
                    403) == "Permission denied"


def test_migration_hosts_of_an_unknown_server_is_404(admin_api, pool):
    assert admin_api.get(_hosts_url(MISSING), user="admin").status_int == 404
    assert admin_api.get(_hosts_url("not-a-uuid"), user="admin").status_int == 404


# --- migrate to a host ---------------------------------------------------------------------


def test_migrate_claims_the_destination_records_the_migration_and_casts_the_source(
        admin_api, pool, compute_rpc):
    server = pool["server"]
    resp = _migrate(admin_api, server.uuid, "pool-2")
    assert resp.status_int == 202, resp.text
    migration = resp.json["migration"]
    assert (migration["type"], migration["status"], migration["source_host"],
            migration["dest_host"]) == ("live-migration", "running", "host1", "pool-2")
    instance = db.instance_get(server.uuid)
    assert (instance.task_state, instance.host) == (states.LIVE_MIGRATING_TASK, "host1")
    assert db.host_get("pool-2").vcpus_used == 1 and db.host_get("pool-2").running_vms == 1
    assert compute_rpc.casts == [("live_migrate_instance", "host1", server.uuid)]
    shown = admin_api.get(f"/v1/servers/{server.uuid}/migrations", user="admin").json
    assert shown["migrations"][0]["id"] == migration["id"]


def test_migrate_names_the_destination_by_id_too(admin_api, pool):
    resp = _migrate(admin_api, pool["server"].uuid, pool["hosts"]["pool-3"].uuid)
    assert resp.status_int == 202, resp.text
    assert resp.json["migration"]["dest_host"] == "pool-3"


def _unchanged(server_uuid, compute_rpc):
    instance = db.instance_get(server_uuid)
    assert (instance.task_state, instance.host) == (None, "host1")
    assert db.migration_list(filters={"instance_uuid": server_uuid}) == []
    assert compute_rpc.casts == []
    assert db.host_get("pool-2").vcpus_used == 0


@pytest.mark.parametrize("user", NOT_ADMINS)
def test_migrate_is_for_admins_only(admin_api, pool, compute_rpc, user):
    assert error_message(_migrate(admin_api, pool["server"].uuid, "pool-2", user=user),
                    403) == "Permission denied"
    _unchanged(pool["server"].uuid, compute_rpc)


def test_migrate_of_another_projects_or_unknown_server_is_404(admin_api, pool, compute_rpc):
    theirs = add_instance(project=OTHER_PROJECT, name="theirs", storage_kind="shared")
    assert _migrate(admin_api, MISSING, "pool-2").status_int == 404
    assert error_message(_migrate(admin_api, theirs.uuid, "pool-2", user="other"), 403) == \
        "Permission denied"
    # The admin sees every project's servers: theirs moves.
    assert _migrate(admin_api, theirs.uuid, "pool-2").status_int == 202


def test_migrate_refuses_a_server_on_local_storage(admin_api, pool, compute_rpc):
    local = add_instance(name="local")
    message = error_message(_migrate(admin_api, local.uuid, "pool-2"), 409)
    assert "local storage" in message and "cannot be live-migrated" in message
    assert db.instance_get(local.uuid).task_state is None
    assert compute_rpc.casts == []


def test_migrate_refuses_a_hypervisor_other_than_xenserver(admin_api, pool, compute_rpc):
    with writer() as session:
        session.query(models.Host).filter_by(name="host1").update({"hypervisor_type": "kvm"})
    message = error_message(_migrate(admin_api, pool["server"].uuid, "pool-2"), 409)
    assert "needs XenServer" in message and "kvm" in message
    _unchanged(pool["server"].uuid, compute_rpc)


@pytest.mark.parametrize("dest, words", [
    ("lone-1", "not in the cluster"),
    ("host1", "already runs on host1"),
    ("nowhere", "nowhere could not be found"),
])
def test_migrate_refuses_a_destination_outside_the_cluster(admin_api, pool, compute_rpc,
                                                           dest, words):
    message = error_message(_migrate(admin_api, pool["server"].uuid, dest), 400)
    assert words in message
    _unchanged(pool["server"].uuid, compute_rpc)


@pytest.mark.parametrize("vm_state, task_state", [(states.STOPPED, None),
                                                  (states.ACTIVE, states.REBOOTING),
                                                  (states.SUSPENDED_VM, None)])
def test_migrate_refuses_a_server_that_is_not_running(admin_api, pool, compute_rpc,
                                                      vm_state, task_state):
    server = add_instance(name="idle", vm_state=vm_state, task_state=task_state,
                          storage_kind="shared")
    message = error_message(_migrate(admin_api, server.uuid, "pool-2"), 409)
    assert "not running" in message
    assert db.instance_get(server.uuid).task_state == task_state
    assert compute_rpc.casts == []


@pytest.mark.parametrize("change, words", [
    ({"allocation_state": "Disabled"}, "the host is Disabled"),
    ({"vcpus_used": 8 * 16}, "not enough free vCPUs"),
    ({"memory_mb_used": 16384 * 2}, "not enough free RAM"),
    ({"maintenance_state": "flushing"}, "maintenance (state flushing)"),
])
def test_migrate_says_why_the_destination_cannot_take_it(admin_api, pool, compute_rpc,
                                                         change, words):
    with writer() as session:
        session.query(models.Host).filter_by(name="pool-2").update(change)
    message = error_message(_migrate(admin_api, pool["server"].uuid, "pool-2"), 409)
    assert "Host pool-2 cannot take" in message and words in message
    assert db.instance_get(pool["server"].uuid).task_state is None
    assert compute_rpc.casts == []


@pytest.mark.parametrize("change, words", [({"forced_down": True}, "service is down"),
                                           ({"disabled": True}, "service is disabled")])
def test_migrate_says_when_the_destinations_compute_service_is_down_or_disabled(
        admin_api, pool, compute_rpc, change, words):
    (service,) = db.service_list(host="pool-2", binary="godwit-compute")
    db.service_update(service.uuid, change)
    message = error_message(_migrate(admin_api, pool["server"].uuid, "pool-2"), 409)
    assert words in message
    _unchanged(pool["server"].uuid, compute_rpc)


def test_migrate_refuses_a_second_live_migration_while_one_runs(admin_api, pool):
    assert _migrate(admin_api, pool["server"].uuid, "pool-2").status_int == 202
    assert "not running" in error_message(_migrate(admin_api, pool["server"].uuid, "pool-3"), 409)


@pytest.mark.parametrize("body, field", [({}, "host"), ({"host": ""}, "host"),
                                         ({"host": 3}, "host"),
                                         ({"host": "pool-2", "live": True}, "live")])
def test_migrate_refuses_a_bad_body_naming_the_field(admin_api, pool, compute_rpc, body,
                                                     field):
    resp = admin_api.post(f"/v1/servers/{pool['server'].uuid}/migrate", body, user="admin")
    assert field in error_message(resp, 400)
    _unchanged(pool["server"].uuid, compute_rpc)


# --- the Compute API's equivalent: os-migrateLive ------------------------------------------


def _migrate_live(api, server_id, user="admin", **arguments):
    body = {"os-migrateLive": dict({"host": "pool-2", "block_migration": "auto"}, **arguments)}
    return api.post(f"/servers/{server_id}/action", body, user=user, version="2.30")


def test_os_migrate_live_moves_the_server_inside_its_cluster(api, pool, compute_rpc):
    resp = _migrate_live(api, pool["server"].uuid)
    assert resp.status_int == 202, resp.text
    (migration,) = db.migration_list(filters={"instance_uuid": pool["server"].uuid})
    assert (migration.migration_type, migration.dest_host) == ("live-migration", "pool-2")
    shown = api.get(f"/servers/{pool['server'].uuid}", user="admin").json["server"]
    assert shown["status"] == "MIGRATING"


def test_os_migrate_live_without_a_host_takes_the_first_suitable_one(api, pool):
    with writer() as session:
        session.query(models.Host).filter_by(name="pool-2").update(
            {"allocation_state": "Disabled"})
    assert _migrate_live(api, pool["server"].uuid, host=None).status_int == 202
    (migration,) = db.migration_list(filters={"instance_uuid": pool["server"].uuid})
    assert migration.dest_host == "pool-3"


def test_os_migrate_live_without_a_host_and_no_room_is_400(api, pool, compute_rpc):
    with writer() as session:
        session.query(models.Host).filter(models.Host.name.like("pool-%")).update(
            {"allocation_state": "Disabled"}, synchronize_session=False)
    assert "No valid host" in error_message(
        _migrate_live(api, pool["server"].uuid, host=None), 400)
    _unchanged(pool["server"].uuid, compute_rpc)


def test_os_migrate_live_refuses_block_migration_and_bad_bodies(api, pool, compute_rpc):
    assert "Block migration is not supported" in error_message(
        _migrate_live(api, pool["server"].uuid, block_migration=True), 400)
    assert "block_migration" in error_message(
        _migrate_live(api, pool["server"].uuid, block_migration="yes"), 400)
    _unchanged(pool["server"].uuid, compute_rpc)


def test_os_migrate_live_is_for_admins_and_hides_other_projects(api, pool, compute_rpc):
    assert _migrate_live(api, pool["server"].uuid, user="member").status_int == 403
    assert _migrate_live(api, pool["server"].uuid, user="other").status_int == 404
    _unchanged(pool["server"].uuid, compute_rpc)


def test_os_migrate_live_of_a_server_on_local_storage_is_409(api, pool):
    local = add_instance(name="local")
    assert "local storage" in error_message(_migrate_live(api, local.uuid), 409)
