"""The live path of a flush, in an all-in-one cloud whose compute-2 and compute-3 are the
two hosts of one simulated XenServer pool with a shared SR and compute-1 a simulated
XenServer of its own (local storage).

Flushing compute-2 moves its running shared-storage server to compute-3 by live
migration and a server whose migration_method is ``shutdown`` by cold migration; the
simulated pool has only its shared SR, so that method is how a server of a pool host goes
cold. compute-3 has room for one of them only: the plan counts the live move before it
places the cold one, and the flush does what the dry run said. Unflush brings both home.
"""
import time

import pytest
import XenAPI
from sqlalchemy import update

from godwit.conf import CONF
from godwit.db import models
from godwit.db.session import writer

AIO_HOSTS = (3, 2)
AIO_OVERRIDES = {("compute_driver", "compute"): "xenapi",
                 ("task_poll_interval", "xenserver"): 0.05,
                 ("cache_refresh_interval", "scheduler"): 0,
                 # Nothing re-reads the hosts' figures the test sets while it runs.
                 ("reconcile_interval", "compute"): 3600}
HOME, OTHER, LONE = "compute-2", "compute-3", "compute-1"
TINY_MB = 512


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.admin()


@pytest.fixture(scope="module")
def xenapi(aio):
    """A XenAPI session to the pool's simulator."""
    session = XenAPI.Session(CONF.xenserver.connection_urls[HOME])
    session.login_with_password(CONF.xenserver.connection_username,
                                CONF.xenserver.connection_password, "2.21", "tests")
    yield session.xenapi
    session.xenapi.session.logout()


@pytest.fixture
def one_slot_on_other_host():
    """compute-3 has room for one m1.tiny only, and compute-1 reports the least free
    memory, so a cold move ranked by free memory wants compute-3 first."""
    _set_host(OTHER, ram_allocation_ratio=TINY_MB / (16 * 1024), memory_free_mb=15000)
    _set_host(LONE, memory_free_mb=1000)
    yield
    _set_host(OTHER, ram_allocation_ratio=CONF.compute.ram_allocation_ratio)


@pytest.fixture
def no_room_on_other_host():
    """compute-3, the other host of the pool, has no room for an m1.tiny."""
    _set_host(OTHER, ram_allocation_ratio=TINY_MB / 2 / (16 * 1024))
    yield
    _set_host(OTHER, ram_allocation_ratio=CONF.compute.ram_allocation_ratio)


def _set_host(name, **values):
    with writer() as session:
        session.execute(update(models.Host).where(models.Host.name == name).values(values))


def _boot(admin, cloud, path, **fields):
    hosts = admin.get("/admin/v1/hosts").json()["hosts"]
    host_id = next(host["id"] for host in hosts if host["name"] == HOME)
    resp = admin.post(path, json={"name": "f", "flavor": "1", "image": cloud.image_id(),
                                  "host_id": host_id, **fields})
    assert resp.status_code == 202, resp.text
    (server,) = resp.json()["vms" if path.endswith("vms") else "servers"]
    return server["id"]


def _flush(admin, kind):
    resp = admin.post(f"/admin/v1/hosts/{HOME}/{kind}", json={})
    assert resp.status_code == 202, resp.text
    deadline = time.monotonic() + 60
    while True:
        status = admin.get(f"/admin/v1/hosts/{HOME}/flush").json()
        if status["flush"]["finished"]:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.05)


def _where(admin, server_id):
    vm = admin.get(f"/admin/v1/vms/{server_id}").json()["vm"]
    (migration, *_) = admin.get(f"/admin/v1/servers/{server_id}/migrations").json()[
        "migrations"]
    return vm["status"], vm["host"], vm["previous_host"], migration["type"]


def _resident(xenapi, server_id):
    (vm,) = xenapi.VM.get_by_name_label(server_id)
    return (xenapi.host.get_name_label(xenapi.VM.get_resident_on(vm)),
            xenapi.VM.get_power_state(vm))


def test_a_flush_moves_live_what_it_can_cold_the_rest_as_planned_and_unflush_returns_them(
        aio, cloud, admin, xenapi, one_slot_on_other_host):
    live = _boot(admin, cloud, "/admin/v1/servers")
    cold = _boot(admin, cloud, "/admin/v1/vms", migration_method="shutdown")
    for server_id in (live, cold):
        admin.wait_for_status(server_id, "ACTIVE", timeout=60)

    plan = admin.post(f"/admin/v1/hosts/{HOME}/flush", json={"dry_run": True})
    assert plan.status_code == 200, plan.text
    planned = {step["instance"]: (step["target"], step["method"])
               for step in plan.json()["plan"]}
    assert planned == {live: (OTHER, "live"), cold: (LONE, "shutdown")}

    status = _flush(admin, "flush")
    assert (status["maintenance_state"], status["flush"]["failures"]) == ("flushed", [])
    assert _where(admin, live) == ("ACTIVE", OTHER, HOME, "live-migration")
    assert _resident(xenapi, live) == (OTHER, "Running")
    assert _where(admin, cold) == ("ACTIVE", LONE, HOME, "migration")

    status = _flush(admin, "unflush")
    assert (status["maintenance_state"], status["flush"]["failures"]) == ("ready", [])
    assert _where(admin, live) == ("ACTIVE", HOME, None, "live-migration")
    assert _resident(xenapi, live) == (HOME, "Running")
    assert _where(admin, cold) == ("ACTIVE", HOME, None, "migration")

    for server_id in (live, cold):
        assert admin.delete(f"/v2.1/servers/{server_id}").status_code == 204
    for server_id in (live, cold):
        admin.wait_for_status(server_id, "DELETED", timeout=60)


def test_auto_moves_a_server_cold_out_of_its_pool_when_the_pool_has_no_room(
        aio, cloud, admin, xenapi, no_room_on_other_host):
    """Method auto (the default): live inside the pool if a host there fits, else a cold
    migration to any valid host, as the dry run says, rather than a shutdown."""
    assert CONF.ha.default_migration_method == "auto"
    server_id = _boot(admin, cloud, "/admin/v1/servers")
    admin.wait_for_status(server_id, "ACTIVE", timeout=60)

    plan = admin.post(f"/admin/v1/hosts/{HOME}/flush", json={"dry_run": True})
    assert plan.status_code == 200, plan.text
    [step] = plan.json()["plan"]
    assert (step["instance"], step["target"], step["method"]) == (server_id, LONE, "shutdown")
    assert step["reason"].startswith("auto: no host of its cluster can take it live")
    assert f"{OTHER}: " in step["reason"] and "RAM" in step["reason"]

    status = _flush(admin, "flush")
    assert (status["maintenance_state"], status["flush"]["failures"]) == ("flushed", [])
    assert status["flush"]["stopped"] == []
    assert _where(admin, server_id) == ("ACTIVE", LONE, HOME, "migration")

    assert admin.delete(f"/v2.1/servers/{server_id}").status_code == 204
    admin.wait_for_status(server_id, "DELETED", timeout=60)
    assert _flush(admin, "unflush")["maintenance_state"] == "ready"
