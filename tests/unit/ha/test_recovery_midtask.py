"""Recovery of a fenced host's instances that were in the middle of something: a resize or
cold migration from or to the host, a live migration, a delete, a build, a power action.

Real compute workers of the migration harness (fake driver, in-order RPC, one database);
the dead host's worker stops inside the step it was running and its casts are lost. Each
case ends with the instance on one host, every migration terminal with its claims
released, and the HA event log saying what was done, once: a second ``recover_host`` (a
new leader) adds nothing.
"""
import collections
import os

import pytest
from sqlalchemy import update

from godwit.compute import reconcile, states
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.db.session import writer
from godwit.ha import events, fencing, leases, recovery
from tests.unit.compute.migration_harness import Cloud


class Died(BaseException):
    """The host lost power in the middle of a step."""


@pytest.fixture
def cloud(sqlite_db):
    """Hosts src, dst and spare, Enabled, in one cluster."""
    cloud = Cloud(hosts=("src", "dst", "spare"))
    zone = hierarchy.create(models.Zone, {"name": "z", "allocation_state": "Enabled"}).row
    pod = hierarchy.create(models.Pod, {"name": "p", "allocation_state": "Enabled"},
                           zone.uuid).row
    cluster = hierarchy.create(models.Cluster, {"name": "c", "hypervisor_type": "fake",
                                                "allocation_state": "Enabled"}, pod.uuid).row
    with writer() as session:
        session.execute(update(models.Host).values(cluster_id=cluster.id,
                                                   allocation_state="Enabled"))
    return cloud


def _shared(uuid, host="src"):
    """The fake driver's host directories stand for storage every host sees."""
    db.instance_update(uuid, {"storage_kind": "shared"})
    leases.acquire(uuid, "shared", host)


def _die_in(cloud, host, driver_method):
    """``host`` loses power when its worker next calls ``driver_method``."""
    def died(*args, **kwargs):
        raise Died(host)
    setattr(cloud.managers[host].driver, driver_method, died)


def _run_until_death(cloud):
    with pytest.raises(Died):
        cloud.pump()


def _fence(cloud, dead):
    """The BMC confirmed ``dead`` off: its queued casts are lost, the leader recovers it
    (twice: the second call must change nothing); then the live workers run."""
    _drop_casts_to(cloud, dead)
    fencing.mark_fenced(dead)
    leases.break_host(dead)
    recovery.recover_host(dead, cloud.bus)
    log = _log(dead)
    recovery.recover_host(dead, cloud.bus)
    assert _log(dead) == log
    _pump_live(cloud, dead)


def _drop_casts_to(cloud, dead):
    cloud.bus.queue = collections.deque(cast for cast in cloud.bus.queue if cast[0] != dead)


def _pump_live(cloud, dead):
    while cloud.bus.queue:
        _drop_casts_to(cloud, dead)
        cloud.pump(limit=1)


def _log(host):
    return [(e.event, e.instance_uuid) for e in events.list_events(host=host)]


def _server(uuid):
    instance = db.instance_get(uuid, details=True)
    return (states.status_of(instance.vm_state, instance.task_state), instance.host,
            instance.flavorid)


def _faults(uuid):
    return [fault.message for fault in db.instance_get(uuid, details=True).faults]


def _used(host):
    return db.host_get(host).memory_mb_used


def _running_on(cloud, uuid, hosts=("src", "dst", "spare"), dead=()):
    """Live hosts whose VM of the instance runs."""
    return {host for host in hosts if host not in dead and
            uuid in cloud.managers[host].driver.list_instances() and
            cloud.managers[host].driver.get_power_state(db.instance_get(uuid)) ==
            states.RUNNING}


def _migrate_until_the_source_dies(cloud, uuid, driver_method):
    cloud.api.migrate(cloud.context, uuid, host="dst")
    _die_in(cloud, "src", driver_method)
    _run_until_death(cloud)


# --- the dead host is the source --------------------------------------------------------------

def test_source_dies_copying_a_local_instance_stays_in_error_and_the_copy_goes(cloud):
    uuid = cloud.boot()
    _migrate_until_the_source_dies(cloud, uuid, "migrate_copy_base")
    assert _used("dst") > 0
    _fence(cloud, "src")
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.next_step_host) == (states.MIGRATION_ERROR, "src")
    assert "src was fenced" in migration.error
    assert _server(uuid) == ("ERROR", "src", "1")
    assert "local storage" in _faults(uuid)[0] and len(_faults(uuid)) == 1
    assert _used("dst") == 0
    assert [e for e, _ in _log("src")] == ["migration-ended", "not-recovered"]
    assert cloud.usage_is_consistent()[0]
    reconcile.reconcile(cloud.managers["dst"])
    assert cloud.vms(uuid) == {"src": [uuid]}  # what dst had received is gone


def test_source_dies_with_its_original_set_aside_it_is_put_back_when_the_host_returns(
        cloud):
    uuid = cloud.boot()
    _migrate_until_the_source_dies(cloud, uuid, "migrate_copy_delta")
    assert cloud.vms(uuid)["src"] == [uuid + "-orig"]
    _fence(cloud, "src")
    assert _server(uuid) == ("ERROR", "src", "1")
    cloud.restart("src")  # the host is back: its worker starts and cleans up first
    assert cloud.vms(uuid)["src"] == [uuid]
    assert cloud.migration_of(uuid).next_step_host is None
    fencing.unfence("src")
    cloud.api.reboot(cloud.context, uuid, hard=True)
    cloud.pump()
    assert _server(uuid) == ("ACTIVE", "src", "1")
    assert cloud.disk(uuid, "src") == cloud.expected_disk(uuid)


def test_source_dies_copying_a_shared_instance_runs_on_another_host(cloud):
    uuid = cloud.boot()
    _shared(uuid)
    _migrate_until_the_source_dies(cloud, uuid, "migrate_power_off")
    _fence(cloud, "src")
    status, host, _ = _server(uuid)
    assert (status, host in ("dst", "spare")) == ("ACTIVE", True)
    assert db.instance_get(uuid).previous_host == "src"
    assert _running_on(cloud, uuid, dead={"src"}) == {host}
    for live in ("dst", "spare"):  # what dst received goes at its next pass, if not before
        reconcile.reconcile(cloud.managers[live])
    assert cloud.vms(uuid) == {host: [uuid]}
    assert db.migration_list(filters={"instance_uuid": uuid, "open": True}) == []
    assert [e for e, _ in _log("src")] == ["migration-ended", "recover-start", "recover-ok"]
    assert cloud.usage_is_consistent()[0]
    assert _used(host) == db.flavor_get("1").memory_mb


def test_source_dies_with_a_shared_instance_set_aside_its_original_runs_on_another_host(
        cloud):
    uuid = cloud.boot()
    _shared(uuid)
    _migrate_until_the_source_dies(cloud, uuid, "migrate_copy_delta")
    assert cloud.vms(uuid)["src"] == [uuid + "-orig"]
    _fence(cloud, "src")
    status, host, _ = _server(uuid)
    assert (status, host in ("dst", "spare")) == ("ACTIVE", True)
    assert _running_on(cloud, uuid, dead={"src"}) == {host}
    assert cloud.disk(uuid, host) == cloud.expected_disk(uuid)
    assert [e for e, _ in _log("src")] == ["migration-ended", "recover-start", "recover-ok"]
    cloud.restart("src")  # the host is back: its clean-up leaves the recovered instance be
    for live in ("dst", "spare"):
        reconcile.reconcile(cloud.managers[live])
    assert cloud.vms(uuid) == {host: [uuid]}
    assert cloud.migration_of(uuid).next_step_host is None
    assert _server(uuid) == ("ACTIVE", host, "1")
    assert cloud.usage_is_consistent()[0]


def test_source_dies_after_the_copy_the_destination_builds_it_and_it_is_confirmed(cloud):
    uuid = cloud.boot()
    cloud.api.migrate(cloud.context, uuid, host="dst")
    cloud.pump(limit=2)  # dst claimed; src copied everything and handed over
    assert cloud.migration_of(uuid).status == states.POST_MIGRATING
    _fence(cloud, "src")
    assert _server(uuid) == ("VERIFY_RESIZE", "dst", "1")
    assert _log("src") == []  # nothing decided: the destination had every byte
    _silence("src")
    recovery.resend_stalled(cloud.bus, age=0)  # the leader's next round
    _pump_live(cloud, "src")
    assert _server(uuid) == ("ACTIVE", "dst", "1")
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.outcome, migration.next_step_host) == (
        states.FINISHED, states.CONFIRMED, "src")  # the original, once src is back
    assert cloud.disk(uuid, "dst") == cloud.expected_disk(uuid)
    assert (_used("src"), _used("dst")) == (0, db.flavor_get("1").memory_mb)
    assert [e for e, _ in _log("src")] == ["migration-ended"]


def test_source_dies_while_its_instance_waits_in_verify_it_is_confirmed(cloud):
    uuid = cloud.boot()
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump()
    assert _server(uuid) == ("VERIFY_RESIZE", "dst", "2")
    _fence(cloud, "src")
    assert _server(uuid) == ("ACTIVE", "dst", "2")
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.outcome) == (states.FINISHED, states.CONFIRMED)
    assert (_used("src"), _used("dst")) == (0, db.flavor_get("2").memory_mb)
    assert _running_on(cloud, uuid, dead={"src"}) == {"dst"}


def test_source_dies_while_the_destination_reverts_the_original_returns_with_the_host(
        cloud):
    uuid = cloud.boot()
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump()
    cloud.api.revert_resize(cloud.context, uuid)  # the destination acts first
    _fence(cloud, "src")
    assert _server(uuid) == ("REVERT_RESIZE", "src", "1")  # the destination did its half
    _silence("src")
    recovery.resend_stalled(cloud.bus, age=0)  # the leader's next round
    _pump_live(cloud, "src")
    assert _server(uuid) == ("ERROR", "src", "1")
    assert "local storage" in _faults(uuid)[0]
    assert cloud.migration_of(uuid).status == states.MIGRATION_ERROR
    assert (_used("src"), _used("dst")) == (db.flavor_get("1").memory_mb, 0)
    assert [e for e, _ in _log("src")] == ["migration-ended", "not-recovered"]
    cloud.restart("src")
    assert cloud.vms(uuid) == {"src": [uuid]}


# --- the dead host is the destination ---------------------------------------------------------

def test_destination_dies_after_a_confirm_it_keeps_the_instance(cloud):
    uuid = cloud.boot()
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump()
    cloud.api.confirm_resize(cloud.context, uuid)  # the source has not dropped its copy yet
    _fence(cloud, "dst")
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.outcome, migration.next_step_host) == (
        states.FINISHED, states.CONFIRMED, None)
    assert _server(uuid) == ("ERROR", "dst", "2")
    assert "local storage" in _faults(uuid)[0]
    assert cloud.vms(uuid) == {"dst": [uuid]}  # the source dropped the original
    assert (_used("src"), _used("dst")) == (0, db.flavor_get("2").memory_mb)
    assert [e for e, _ in _log("dst")] == ["migration-ended", "not-recovered"]


def test_destination_dies_before_the_copy_the_source_keeps_its_instance(cloud):
    uuid = cloud.boot()
    cloud.api.migrate(cloud.context, uuid, host="dst")
    cloud.pump(limit=1)  # dst claimed; the source's first step is on its way
    _fence(cloud, "dst")
    _assert_back_on_the_source(cloud, uuid)


def test_destination_dies_building_the_instance_the_source_starts_it_again(cloud):
    uuid = cloud.boot()
    cloud.api.migrate(cloud.context, uuid, host="dst")
    _die_in(cloud, "dst", "migrate_finish")
    _run_until_death(cloud)
    assert _running_on(cloud, uuid) == set()  # the migration had shut it down
    _fence(cloud, "dst")
    _assert_back_on_the_source(cloud, uuid)
    assert cloud.disk(uuid, "src") == cloud.expected_disk(uuid)


def _assert_back_on_the_source(cloud, uuid):
    assert _server(uuid) == ("ACTIVE", "src", "1")
    assert _running_on(cloud, uuid, dead={"dst"}) == {"src"}
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.next_step_host) == (states.MIGRATION_ERROR, "dst")
    assert migration.error == "The destination host dst was fenced."
    assert _used("dst") == 0
    assert [e for e, _ in _log("dst")] == ["migration-ended"]
    assert cloud.usage_is_consistent()[0]


def test_destination_dies_while_the_instance_waits_in_verify_it_is_reverted(cloud):
    uuid = cloud.boot()
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump()
    cloud.write(uuid, "dst", b"written on the destination\n")
    _fence(cloud, "dst")
    assert _server(uuid) == ("ACTIVE", "src", "1")
    assert _running_on(cloud, uuid, dead={"dst"}) == {"src"}
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.outcome) == (states.FINISHED, states.REVERT)
    assert cloud.disk(uuid, "src") == \
        cloud.expected_disk(uuid)[:-len(b"written on the destination\n")]
    assert (_used("src"), _used("dst")) == (db.flavor_get("1").memory_mb, 0)


# --- live migration ---------------------------------------------------------------------------

def _live_migrating(cloud, uuid):
    """A live migration src -> dst in flight, as the API records it."""
    with writer() as session:
        db.instance_update(uuid, {"task_state": states.LIVE_MIGRATING_TASK}, session=session)
        db.host_claim(session, "dst", 1, db.instance_get(uuid).memory_mb, 0)
        return db.migration_create(session, {
            "instance_uuid": uuid, "migration_type": states.LIVE_MIGRATION,
            "status": states.LIVE_RUNNING, "source_host": "src", "dest_host": "dst",
            "old_flavor": {}, "new_flavor": {}, "power_on": True})


def test_live_migration_from_the_dead_host_ends_on_its_destination(cloud):
    uuid = cloud.boot()
    _shared(uuid)
    live = _live_migrating(cloud, uuid)
    _fence(cloud, "src")
    assert _server(uuid) == ("ACTIVE", "dst", "1")
    assert _running_on(cloud, uuid, dead={"src"}) == {"dst"}
    assert db.migration_get(live.uuid).status == states.MIGRATION_ERROR
    assert [e for e, _ in _log("src")] == ["migration-ended", "recover-start", "recover-ok"]
    assert cloud.usage_is_consistent()[0]


def test_live_migration_to_the_dead_host_ends_with_the_instance_on_its_source(cloud):
    uuid = cloud.boot()
    _shared(uuid)
    live = _live_migrating(cloud, uuid)
    _fence(cloud, "dst")
    assert _server(uuid) == ("ACTIVE", "src", "1")
    assert _running_on(cloud, uuid, dead={"dst"}) == {"src"}
    assert db.migration_get(live.uuid).status == states.MIGRATION_ERROR
    assert "dst was fenced" in _faults(uuid)[0]
    assert _used("dst") == 0
    assert [e for e, _ in _log("dst")] == ["migration-ended"]


def test_live_migration_completed_just_before_its_destination_died_is_recovered(cloud):
    uuid = cloud.boot()
    _shared(uuid)
    live = _live_migrating(cloud, uuid)
    _vm_moved(cloud, uuid, "src", "dst")  # the hypervisor moved it; the source never heard
    _fence(cloud, "dst")
    migration = db.migration_get(live.uuid)
    assert (migration.status, db.instance_get(uuid).host) == (states.FINISHED, "dst")
    assert [e for e, _ in _log("dst")] == ["migration-ended"]
    _silence("dst")
    recovery.resend_stalled(cloud.bus, age=3600)  # the leader's next round
    _pump_live(cloud, "dst")
    status, host, _ = _server(uuid)
    assert (status, host in ("src", "spare")) == ("ACTIVE", True)
    assert _running_on(cloud, uuid, dead={"dst"}) == {host}
    assert cloud.disk(uuid, host) == cloud.expected_disk(uuid)
    assert leases.holder(uuid) == host
    assert _used("dst") == 0
    assert [e for e, _ in _log("dst")] == ["migration-ended", "recover-start", "recover-ok"]
    recovery.resend_stalled(cloud.bus, age=3600)
    assert cloud.bus.queue == collections.deque()  # decided once
    assert cloud.usage_is_consistent()[0]


def _vm_moved(cloud, uuid, source, dest):
    os.replace(os.path.join(cloud.managers[source].driver.path, uuid),
               os.path.join(cloud.managers[dest].driver.path, uuid))


# --- deletes, builds and power actions --------------------------------------------------------

def test_a_delete_the_dead_host_never_finished_is_finished(cloud):
    uuid = cloud.boot()
    _shared(uuid)
    db.instance_update(uuid, {"task_state": states.DELETING})
    _fence(cloud, "src")
    assert db.instance_list(filters={"host": "src"}) == []
    assert leases.holder(uuid) is None
    assert _used("src") == 0
    assert _log("src") == [("delete-finished", uuid)]


def test_a_build_the_dead_host_never_finished_is_in_error(cloud):
    uuid = cloud.boot()
    db.instance_update(uuid, {"vm_state": states.BUILDING, "task_state": states.SPAWNING})
    _fence(cloud, "src")
    assert _server(uuid) == ("ERROR", None, "1")
    assert "before the instance ever started" in _faults(uuid)[0]
    assert _used("src") == 0
    assert _log("src") == [("not-recovered", uuid)]


@pytest.mark.parametrize("task, status", [(states.POWERING_OFF, "SHUTOFF"),
                                          (states.POWERING_ON, "ACTIVE"),
                                          (states.REBOOTING_HARD, "ACTIVE"),
                                          (states.SUSPENDING, "SHUTOFF")])
def test_a_power_action_is_recovered_with_the_power_it_asked_for(cloud, task, status):
    uuid = cloud.boot()
    _shared(uuid)
    vm_state = states.STOPPED if task == states.POWERING_ON else states.ACTIVE
    db.instance_update(uuid, {"vm_state": vm_state, "task_state": task})
    _fence(cloud, "src")
    assert _server(uuid)[0] == status
    assert _running_on(cloud, uuid, dead={"src"}) == \
        ({db.instance_get(uuid).host} if status == "ACTIVE" else set())


def _silence(host):
    service = db.service_list(host=host, binary="godwit-compute")[0]
    db.service_update(service.uuid, {"last_seen_up": models.utcnow().replace(year=2000)})
