"""Live migration in an all-in-one cloud whose compute-3 and compute-4 are two hosts of one
simulated XenServer pool with a shared SR (as ``make run`` starts it), and compute-1 and
compute-2 one simulated XenServer each (local storage)."""
import time

import pytest
import XenAPI

from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from godwit.virt.xenapi.simulator import vm as simulated_vm

AIO_HOSTS = (4, 2)
AIO_OVERRIDES = {("compute_driver", "compute"): "xenapi",
                 ("task_poll_interval", "xenserver"): 0.05,
                 ("cache_refresh_interval", "scheduler"): 0}
POOL = ("compute-3", "compute-4")


def _only_hosts(names):
    """New servers go to ``names`` only (the others are Disabled)."""
    with writer() as session:
        for host in session.query(models.Host):
            host.allocation_state = "Enabled" if host.name in names else "Disabled"


@pytest.fixture(scope="module")
def xenapi(aio):
    """A XenAPI session to the pool's simulator."""
    session = XenAPI.Session(CONF.xenserver.connection_urls["compute-3"])
    session.login_with_password(CONF.xenserver.connection_username,
                                CONF.xenserver.connection_password, "2.21", "tests")
    yield session.xenapi
    _only_hosts(["compute-1", "compute-2", *POOL])


def _boot(cloud, user, hosts):
    _only_hosts(hosts)
    server_id = user.create_server("vm", image=cloud.image_id())
    user.wait_for_status(server_id, "ACTIVE", timeout=60)
    return server_id, _host(cloud, server_id)


def _host(cloud, server_id):
    return cloud.admin().get(f"/v2.1/servers/{server_id}").json()["server"][
        "OS-EXT-SRV-ATTR:host"]


def _resident(xenapi, server_id):
    (vm,) = xenapi.VM.get_by_name_label(server_id)
    return (xenapi.host.get_name_label(xenapi.VM.get_resident_on(vm)),
            xenapi.VM.get_other_config(vm)["godwit_host"])


def _migration_ends(admin, server_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        (migration, *_) = admin.get(f"/admin/v1/servers/{server_id}/migrations").json()[
            "migrations"]
        if migration["status"] in ("finished", "error"):
            return migration
        assert time.monotonic() < deadline, migration
        time.sleep(0.05)


def _used(name):
    host = db.host_get(name)
    return host.vcpus_used, host.memory_mb_used, host.running_vms


def _workers(aio):
    return {svc.host: svc.manager for svc in aio.services
            if getattr(svc, "binary", None) == "godwit-compute"}


def test_a_server_in_the_pool_live_migrates_to_the_other_host(aio, cloud, xenapi):
    member = cloud.new_member()
    server_id, source = _boot(cloud, member, POOL)
    (dest,) = set(POOL) - {source}
    assert db.instance_get(server_id).storage_kind == "shared"
    admin = cloud.admin()
    hosts = admin.get(f"/admin/v1/servers/{server_id}/migration-hosts").json()
    assert [h["name"] for h in hosts["hosts"]] == [dest]
    assert hosts["suitable_host_ids"] == [hosts["hosts"][0]["id"]]
    before = {name: _used(name) for name in POOL}

    resp = admin.post(f"/admin/v1/servers/{server_id}/migrate", json={"host": dest})
    assert resp.status_code == 202, resp.text
    assert _migration_ends(admin, server_id)["status"] == "finished"
    member.wait_for_status(server_id, "ACTIVE")

    assert _host(cloud, server_id) == dest
    assert _resident(xenapi, server_id) == (dest, dest)
    moved = (1, 512, 1)
    assert _used(source) == tuple(b - m for b, m in zip(before[source], moved))
    assert _used(dest) == tuple(b + m for b, m in zip(before[dest], moved))
    workers = _workers(aio)
    assert server_id in workers[dest].driver.list_instances()
    assert server_id not in workers[source].driver.list_instances()


def test_a_failure_on_the_destination_leaves_the_server_running_on_the_source(
        aio, cloud, xenapi):
    member = cloud.new_member()
    server_id, source = _boot(cloud, member, POOL)
    (dest,) = set(POOL) - {source}
    (vm,) = xenapi.VM.get_by_name_label(server_id)
    xenapi.VM.add_to_other_config(vm, simulated_vm.FAIL_MIGRATION_KEY, "true")
    before = _used(dest)
    admin = cloud.admin()

    resp = admin.post(f"/admin/v1/servers/{server_id}/migrate", json={"host": dest})
    assert resp.status_code == 202, resp.text
    migration = _migration_ends(admin, server_id)
    assert migration["status"] == "error"
    assert f"Live migration to host {dest} failed" in migration["error"]
    assert "VM_MIGRATE_FAILED" in migration["error"]
    server = member.wait_for_status(server_id, "ACTIVE")
    assert _host(cloud, server_id) == source
    assert _resident(xenapi, server_id) == (source, source)
    assert xenapi.VM.get_power_state(vm) == "Running"
    assert _used(dest) == before
    assert server["status"] == "ACTIVE"


def test_a_server_on_local_storage_cannot_live_migrate(aio, cloud, xenapi):
    member = cloud.new_member()
    server_id, source = _boot(cloud, member, ["compute-1"])
    assert db.instance_get(server_id).storage_kind == "local"
    admin = cloud.admin()
    resp = admin.get(f"/admin/v1/servers/{server_id}/migration-hosts")
    assert resp.status_code == 409
    assert "local storage" in resp.json()["conflictingRequest"]["message"]
    resp = admin.post(f"/admin/v1/servers/{server_id}/migrate", json={"host": "compute-2"})
    assert resp.status_code == 409 and "local storage" in resp.text


def test_a_cold_migration_inside_the_pool_still_works(aio, cloud, xenapi):
    """The two hosts share one SR: the received disks get fresh uuids beside the source's."""
    member = cloud.new_member()
    server_id, source = _boot(cloud, member, POOL)
    (dest,) = set(POOL) - {source}
    admin = cloud.admin()
    resp = admin.post(f"/admin/v1/servers/{server_id}/cold-migrate", json={"host": dest})
    assert resp.status_code == 202, resp.text
    member.wait_for_status(server_id, "VERIFY_RESIZE", timeout=60)
    assert admin.post(f"/admin/v1/servers/{server_id}/confirm-resize").status_code == 204
    member.wait_for_status(server_id, "ACTIVE", timeout=60)
    assert _host(cloud, server_id) == dest
    assert _resident(xenapi, server_id) == (dest, dest)
    assert db.instance_get(server_id).storage_kind == "shared"
    assert [name for name in (r["name_label"] for r in xenapi.VM.get_all_records().values())
            if name.startswith(server_id)] == [server_id]
