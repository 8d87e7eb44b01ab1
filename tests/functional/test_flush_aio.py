"""Flush and unflush of a host through the admin API of an in-process cloud (3 fake hosts).

Every test starts with every host ready and leaves it so; servers are booted on compute-1
by the admin (``host_id``) and deleted at the end.
"""
import time

import pytest
from sqlalchemy import update

from godwit.conf import CONF
from godwit.db import flushes, models
from godwit.db.session import writer

HOSTS = ("compute-1", "compute-2", "compute-3")


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.admin()


@pytest.fixture
def servers(cloud, admin):
    """boot(count, **placement) -> server ids on compute-1, all ACTIVE; deleted after."""
    booted = []

    def boot(count, **placement):
        body = {"name": "f", "flavor": "1", "image": cloud.image_id(), "count": count,
                "host_id": _host_id(admin, "compute-1"), **placement}
        path = "/admin/v1/vms" if placement else "/admin/v1/servers"
        resp = admin.post(path, json=body)
        assert resp.status_code == 202, resp.text
        ids = [vm["id"] for vm in resp.json()["vms" if placement else "servers"]]
        booted.extend(ids)
        for server_id in ids:
            admin.wait_for_status(server_id, "ACTIVE")
        return ids

    yield boot
    for server_id in booted:
        admin.delete(f"/v2.1/servers/{server_id}")
    for server_id in booted:
        admin.wait_for_status(server_id, "DELETED")


@pytest.fixture(autouse=True)
def hosts_ready(admin):
    yield
    for host in HOSTS:
        if _status(admin, host)["maintenance_state"] != "ready":
            _request(admin, host, "unflush")
            _wait_finished(admin, host)


def _host_id(admin, name):
    hosts = admin.get("/admin/v1/hosts").json()["hosts"]
    return next(host["id"] for host in hosts if host["name"] == name)


def _request(admin, host, kind, **body):
    resp = admin.post(f"/admin/v1/hosts/{host}/{kind}", json=body)
    assert resp.status_code == 202, resp.text
    return resp.json()


def _status(admin, host):
    resp = admin.get(f"/admin/v1/hosts/{host}/flush")
    assert resp.status_code == 200, resp.text
    return resp.json()


def _wait_finished(admin, host, timeout=60, seen=None):
    """The host's status once its flush or unflush has finished; ``seen`` collects every
    status polled on the way."""
    deadline = time.monotonic() + timeout
    while True:
        status = _status(admin, host)
        if seen is not None:
            seen.append(status)
        if status["flush"] and status["flush"]["finished"]:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.05)


def _vm(admin, server_id):
    return admin.get(f"/admin/v1/vms/{server_id}").json()["vm"]


def _flush_and_check(admin, servers, count, concurrency):
    ids = servers(count)
    plan = admin.post("/admin/v1/hosts/compute-1/flush", json={"dry_run": True})
    assert plan.status_code == 200, plan.text
    planned = {step["instance"]: step["target"] for step in plan.json()["plan"]}
    assert set(ids) <= set(planned)
    assert _status(admin, "compute-1")["maintenance_state"] == "ready"  # a dry run moves nothing

    started = _request(admin, "compute-1", "flush", concurrency=concurrency)
    assert started["maintenance_state"] == "flushing"
    seen = []
    status = _wait_finished(admin, "compute-1", seen=seen)

    assert status["maintenance_state"] == "flushed"
    assert status["flush"]["failures"] == []
    assert status["flush"]["done"] == status["flush"]["total"] == len(planned)
    assert max(len(each["flush"]["current"]) for each in seen) <= concurrency
    for server_id in ids:
        vm = _vm(admin, server_id)
        assert vm["status"] == "ACTIVE"
        assert vm["host"] == planned[server_id] != "compute-1"
        assert vm["previous_host"] == "compute-1"
    return ids


@pytest.mark.parametrize("concurrency", [1, 4])
def test_flush_empties_the_host_as_planned_and_unflush_brings_everything_back(
        admin, servers, concurrency):
    ids = _flush_and_check(admin, servers, 5, concurrency)

    _request(admin, "compute-1", "unflush")
    status = _wait_finished(admin, "compute-1")

    assert status["maintenance_state"] == "ready"
    assert status["flush"]["kind"] == "unflush"
    assert status["flush"]["failures"] == []
    for server_id in ids:
        vm = _vm(admin, server_id)
        assert (vm["host"], vm["status"], vm["previous_host"]) == ("compute-1", "ACTIVE", None)


def test_an_instance_no_host_may_take_is_shut_down_and_started_by_unflush(admin, servers):
    [pinned, stopped_by_user] = servers(2, node_limit=["compute-1"])
    [free] = servers(1)
    resp = admin.post(f"/v2.1/servers/{stopped_by_user}/action", json={"os-stop": None})
    assert resp.status_code == 202, resp.text
    admin.wait_for_status(stopped_by_user, "SHUTOFF")

    plan = admin.post("/admin/v1/hosts/compute-1/flush", json={"dry_run": True}).json()["plan"]
    reasons = {step["instance"]: step["reason"] for step in plan}
    assert reasons[free] is None
    assert "node_limit" in reasons[pinned] or "compute-1" in reasons[pinned], reasons[pinned]

    _request(admin, "compute-1", "flush")
    status = _wait_finished(admin, "compute-1")
    assert status["maintenance_state"] == "flushed"
    vm = _vm(admin, pinned)
    assert (vm["host"], vm["status"], vm["autostart"]) == ("compute-1", "SHUTOFF", True)
    assert _vm(admin, free)["host"] != "compute-1"

    _request(admin, "compute-1", "unflush")
    _wait_finished(admin, "compute-1")
    vm = _vm(admin, pinned)
    assert (vm["host"], vm["status"], vm["autostart"]) == ("compute-1", "ACTIVE", False)
    assert _vm(admin, free)["host"] == "compute-1"
    assert _vm(admin, stopped_by_user)["status"] == "SHUTOFF"  # its user stopped it


def test_a_new_request_cancels_the_running_flush_after_its_moves_in_flight(admin, servers):
    ids = servers(4)
    CONF.set_override("fake_migration_seconds", 0.5, group="compute")
    try:
        first = _request(admin, "compute-1", "flush", concurrency=1)
        deadline = time.monotonic() + 30
        while not _status(admin, "compute-1")["flush"]["current"]:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        _request(admin, "compute-1", "unflush")
        status = _wait_finished(admin, "compute-1")
    finally:
        CONF.clear_override("fake_migration_seconds", group="compute")

    assert status["flush"]["kind"] == "unflush"
    assert status["flush"]["generation"] == first["flush"]["generation"] + 1
    assert status["maintenance_state"] == "ready"
    # The flush moved what was in flight and nothing more; the unflush brought it back.
    assert 1 <= status["flush"]["total"] < len(ids)
    assert all(_vm(admin, server_id)["host"] == "compute-1" for server_id in ids)


def test_a_flush_a_restart_interrupted_is_resumed_by_the_worker(aio, admin, servers):
    """The request is recorded but no worker was told (as if it restarted before it ran
    the flush): the worker's periodic task runs it from the database."""
    ids = servers(2)
    flushes.begin("compute-1", "flush", 2, "flushing", ("ready",))
    worker = next(service for service in aio.services
                  if getattr(service, "host", None) == "compute-1")

    worker.manager.resume_flush()
    status = _wait_finished(admin, "compute-1")

    assert status["maintenance_state"] == "flushed"
    assert all(_vm(admin, server_id)["host"] != "compute-1" for server_id in ids)


def test_only_admins_flush_and_bad_requests_change_nothing(cloud, admin):
    member = cloud.new_member()
    for path in ("flush", "unflush"):
        resp = member.post(f"/admin/v1/hosts/compute-2/{path}", json={})
        assert resp.status_code == 403
        assert "Permission denied" in resp.text
    assert member.get("/admin/v1/hosts/compute-2/flush").status_code == 403

    resp = admin.post("/admin/v1/hosts/compute-2/flush", json={"concurrency": 0})
    assert resp.status_code == 400 and "concurrency" in resp.text
    resp = admin.post("/admin/v1/hosts/compute-2/flush", json={"dry_run": "yes"})
    assert resp.status_code == 400 and "dry_run" in resp.text
    assert admin.post("/admin/v1/hosts/nowhere/flush", json={}).status_code == 404
    assert _status(admin, "compute-2")["maintenance_state"] == "ready"


def _set_maintenance(host, state):
    """What the HA monitor does to a host it fences."""
    with writer() as session:
        session.execute(update(models.Host).where(models.Host.name == host)
                        .values(maintenance_state=state))


def test_a_fenced_host_cannot_be_flushed(admin):
    _set_maintenance("compute-3", "fenced")
    try:
        for kind in ("flush", "unflush"):
            resp = admin.post(f"/admin/v1/hosts/compute-3/{kind}", json={})
            assert resp.status_code == 409, resp.text
            assert "fenced" in resp.text
        assert _status(admin, "compute-3")["maintenance_state"] == "fenced"
    finally:
        _set_maintenance("compute-3", "ready")


def test_disabling_a_compute_service_for_a_flush_flushes_its_host(admin, servers):
    [server_id] = servers(1)
    service = admin.get("/v2.1/os-services", params={"host": "compute-1",
                                                     "binary": "godwit-compute"})
    service_id = service.json()["services"][0]["id"]

    resp = admin.put(f"/v2.1/os-services/{service_id}",
                     json={"status": "disabled", "disabled_reason": "Flush: new RAM"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["service"]["status"] == "disabled"
    assert _wait_finished(admin, "compute-1")["maintenance_state"] == "flushed"
    assert _vm(admin, server_id)["host"] != "compute-1"

    resp = admin.put(f"/v2.1/os-services/{service_id}", json={"status": "enabled"})
    assert resp.status_code == 200, resp.text
    status = _wait_finished(admin, "compute-1")
    assert (status["maintenance_state"], status["flush"]["kind"]) == ("ready", "unflush")
    assert _vm(admin, server_id)["host"] == "compute-1"


def test_a_disabled_reason_not_about_flushing_keeps_novas_meaning(admin):
    service = admin.get("/v2.1/os-services", params={"host": "compute-2",
                                                     "binary": "godwit-compute"})
    service_id = service.json()["services"][0]["id"]
    resp = admin.put(f"/v2.1/os-services/{service_id}",
                     json={"status": "disabled", "disabled_reason": "rack move"})
    assert resp.status_code == 200, resp.text
    admin.put(f"/v2.1/os-services/{service_id}", json={"status": "enabled"})
    assert _status(admin, "compute-2")["maintenance_state"] == "ready"
