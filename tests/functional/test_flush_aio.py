"""Flush and unflush of a host through the admin API of an in-process cloud (3 fake hosts).

Every test starts with every host ready and leaves it so; servers are booted on compute-1
by the admin (``host_id``) and deleted at the end.
"""
import time

import pytest
from sqlalchemy import update

from godwit import context
from godwit.compute import migration, reconcile
from godwit.conf import CONF
from godwit.db import api as db
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


def _wait_for_migration(admin, server_id, statuses, timeout=30):
    """Returns once the server's last migration is in one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while True:
        migrations = admin.get(f"/admin/v1/servers/{server_id}/migrations").json()[
            "migrations"]
        if migrations and migrations[0]["status"] in statuses:
            return
        assert time.monotonic() < deadline, migrations
        time.sleep(0.02)


def _worker(aio, host):
    return next(service for service in aio.services if getattr(service, "host", None) == host)


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

    _worker(aio, "compute-1").manager.resume_flush()
    status = _wait_finished(admin, "compute-1")

    assert status["maintenance_state"] == "flushed"
    assert all(_vm(admin, server_id)["host"] != "compute-1" for server_id in ids)


@pytest.mark.parametrize("copy_seconds, seen", [(0, {"verify-migration"}),
                                                 (1, {"pre-migrating", "migrating"})])
def test_a_resumed_flush_follows_and_confirms_the_moves_its_predecessor_began(
        aio, admin, servers, copy_seconds, seen):
    """The worker restarted while a cold move of its flush was on its way, or waited in
    verify: the runner it resumes (planning from where the instances are now) follows
    that move, confirms it and counts it, then moves the rest. Nothing else would
    confirm it: the confirm window is off."""
    assert CONF.compute.resize_confirm_window == 0
    moving, other = servers(2)
    _set_maintenance("compute-1", "flushing")  # the move starts during the flush
    CONF.set_override("fake_migration_seconds", copy_seconds, group="compute")
    try:
        resp = admin.post(f"/admin/v1/servers/{moving}/cold-migrate",
                          json={"host": "compute-2"})
        assert resp.status_code == 202, resp.text
        _wait_for_migration(admin, moving, seen)
        # The flush's row as the restarted worker finds it: unfinished, no runner.
        flushes.begin("compute-1", "flush", 2, "flushing", ("flushing",))
        _worker(aio, "compute-1").manager.resume_flush()
        status = _wait_finished(admin, "compute-1")
    finally:
        CONF.clear_override("fake_migration_seconds", group="compute")

    assert status["maintenance_state"] == "flushed"
    assert status["flush"]["failures"] == []
    assert status["flush"]["done"] == status["flush"]["total"] == 2
    vm = _vm(admin, moving)
    assert (vm["status"], vm["host"], vm["previous_host"]) == ("ACTIVE", "compute-2",
                                                              "compute-1")
    (migration, *_) = admin.get(f"/admin/v1/servers/{moving}/migrations").json()[
        "migrations"]
    assert (migration["status"], migration["outcome"]) == ("finished", "confirmed")
    assert _vm(admin, other)["host"] != "compute-1"


def _migrations(admin, server_id):
    """(status, outcome, destination) of each of the server's migrations, newest first."""
    migrations = admin.get(f"/admin/v1/servers/{server_id}/migrations").json()["migrations"]
    return [(each["status"], each["outcome"], each["dest_host"]) for each in migrations]


def _cold_migrate(admin, server_id, host, seen):
    resp = admin.post(f"/admin/v1/servers/{server_id}/cold-migrate", json={"host": host})
    assert resp.status_code == 202, resp.text
    _wait_for_migration(admin, server_id, seen)


# The worker restarted while the move waited in verify, or was still copying.
IN_FLIGHT = pytest.mark.parametrize("copy_seconds, seen", [
    (0, {"verify-migration"}), (1, {"pre-migrating", "migrating"})])


@IN_FLIGHT
def test_a_resumed_unflush_follows_and_confirms_the_move_home_its_predecessor_began(
        aio, admin, servers, copy_seconds, seen):
    """A move home is the unflush's: the resumed runner follows it, confirms it (home
    again, previous_host cleared) and counts it."""
    [server_id] = servers(1)
    CONF.set_override("fake_migration_seconds", copy_seconds, group="compute")
    try:
        _cold_migrate(admin, server_id, "compute-2", {"verify-migration"})
        assert admin.post(f"/v2.1/servers/{server_id}/action",
                          json={"confirmResize": None}).status_code == 204
        admin.wait_for_status(server_id, "ACTIVE")
        db.instance_update(server_id, {"previous_host": "compute-1"})  # as a flush leaves it
        _cold_migrate(admin, server_id, "compute-1", seen)
        # The unflush's row as the restarted worker finds it: unfinished, no runner.
        flushes.begin("compute-1", "unflush", 2, "unflushing", ("ready",))
        _worker(aio, "compute-1").manager.resume_flush()
        status = _wait_finished(admin, "compute-1")
    finally:
        CONF.clear_override("fake_migration_seconds", group="compute")

    assert (status["maintenance_state"], status["flush"]["failures"]) == ("ready", [])
    assert status["flush"]["done"] == status["flush"]["total"] == 1
    vm = _vm(admin, server_id)
    assert (vm["status"], vm["host"], vm["previous_host"]) == ("ACTIVE", "compute-1", None)
    assert _migrations(admin, server_id)[0] == ("finished", "confirmed", "compute-1")


@IN_FLIGHT
def test_an_unflush_that_replaced_a_flush_across_a_restart_brings_its_moves_back_too(
        aio, admin, servers, copy_seconds, seen):
    """The flush's move was in flight when the worker restarted and an unflush replaced
    the flush: the unflush's runner first ends that move as the flush would have
    (confirmed, previous_host set), then brings the instance back."""
    [server_id] = servers(1)
    _set_maintenance("compute-1", "flushing")  # the move starts during the flush
    CONF.set_override("fake_migration_seconds", copy_seconds, group="compute")
    try:
        _cold_migrate(admin, server_id, "compute-2", seen)
        flushes.begin("compute-1", "unflush", 2, "unflushing", ("flushing",))
        _worker(aio, "compute-1").manager.resume_flush()
        status = _wait_finished(admin, "compute-1")
    finally:
        CONF.clear_override("fake_migration_seconds", group="compute")

    assert (status["maintenance_state"], status["flush"]["failures"]) == ("ready", [])
    assert status["flush"]["done"] == status["flush"]["total"] == 1  # the move back
    vm = _vm(admin, server_id)
    assert (vm["status"], vm["host"], vm["previous_host"]) == ("ACTIVE", "compute-1", None)
    assert _migrations(admin, server_id) == [("finished", "confirmed", "compute-1"),
                                             ("finished", "confirmed", "compute-2")]


@pytest.mark.parametrize("request_fate", ["arrives late", "was lost"])
def test_a_cold_move_asked_for_just_before_a_restart_is_not_a_failure(
        aio, admin, servers, request_fate):
    """The runner had asked for a cold move (the instance is in resize_prep) but its
    destination had not recorded the migration when the worker restarted. The resumed
    runner waits: a request that arrives is followed and confirmed; one that was lost
    (the reconciler makes the instance idle again) is planned again."""
    [server_id] = servers(1)
    flushes.begin("compute-1", "flush", 2, "flushing", ("ready",))
    db.instance_update(server_id, {"task_state": "resize_prep"})
    manager = _worker(aio, "compute-1").manager
    manager.resume_flush()
    time.sleep(0.5)  # the runner finds the instance waiting for its migration
    if request_fate == "arrives late":
        instance = db.instance_get(server_id)
        manager.compute_rpcapi.prepare_migration(
            context.get_admin_context(), "compute-2", server_id,
            migration.current_flavor(instance), [])
    else:
        reconcile.recover_instance(manager, db.instance_get(server_id))
    status = _wait_finished(admin, "compute-1")

    assert (status["maintenance_state"], status["flush"]["failures"]) == ("flushed", [])
    assert status["flush"]["done"] == status["flush"]["total"] == 1
    vm = _vm(admin, server_id)
    assert (vm["status"], vm["previous_host"]) == ("ACTIVE", "compute-1")
    assert vm["host"] != "compute-1"
    assert _migrations(admin, server_id)[0][:2] == ("finished", "confirmed")


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
