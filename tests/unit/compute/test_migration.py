"""The migration protocol on real files and a real database, one step at a time."""
import pytest

from godwit import exception
from godwit.compute import states
from godwit.db import api as db
from tests.unit.compute.migration_harness import Cloud


@pytest.fixture
def cloud(sqlite_db):
    return Cloud()


def _server(uuid):
    instance = db.instance_get(uuid)
    return (states.status_of(instance.vm_state, instance.task_state), instance.host,
            instance.flavorid)


def test_resize_confirm_moves_the_disk_and_frees_the_source(cloud):
    uuid = cloud.boot()
    cloud.writes_after_snapshot(uuid)
    cloud.api.resize(cloud.context, uuid, "2")
    assert _server(uuid) == ("RESIZE", "src", "1")
    cloud.pump()
    assert _server(uuid) == ("VERIFY_RESIZE", "dst", "2")
    assert cloud.vms(uuid) == {"src": [uuid + "-orig"], "dst": [uuid]}
    assert cloud.disk(uuid, "dst") == cloud.expected_disk(uuid)
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.bytes_transferred) == (
        states.VERIFY_MIGRATION, len(cloud.expected_disk(uuid)))
    cloud.api.confirm_resize(cloud.context, uuid)
    cloud.pump()
    assert _server(uuid) == ("ACTIVE", "dst", "2")
    assert cloud.vms(uuid) == {"dst": [uuid]}
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.outcome) == (states.FINISHED, states.CONFIRMED)
    assert db.host_get("src").memory_mb_used == 0
    assert db.host_get("dst").memory_mb_used == db.flavor_get("2").memory_mb
    assert cloud.usage_is_consistent()[0]


def test_migrate_revert_restores_the_original(cloud):
    uuid = cloud.boot()
    cloud.api.migrate(cloud.context, uuid)
    cloud.pump()
    assert _server(uuid) == ("VERIFY_RESIZE", "dst", "1")
    cloud.write(uuid, "dst", b"written on the destination, lost by the revert\n")
    lost = len(b"written on the destination, lost by the revert\n")
    cloud.api.revert_resize(cloud.context, uuid)
    assert _server(uuid)[0] == "REVERT_RESIZE"
    cloud.pump()
    assert _server(uuid) == ("ACTIVE", "src", "1")
    assert cloud.vms(uuid) == {"src": [uuid]}
    assert cloud.disk(uuid, "src") == cloud.expected_disk(uuid)[:-lost]
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.outcome) == (states.FINISHED, states.REVERT)
    assert db.host_get("dst").memory_mb_used == 0
    assert cloud.usage_is_consistent()[0]


def test_a_late_prepare_of_an_ended_request_cannot_take_over_the_next_one(cloud):
    """The first request's cast to the destination was held up (its worker was down, say)
    until the reconciler ended that request; the user then asked for another flavor. The
    old cast, arriving first, is ignored: the instance gets the flavor asked for last."""
    uuid = cloud.boot()
    cloud.api.migrate(cloud.context, uuid)
    held = list(cloud.bus.queue)
    cloud.bus.queue.clear()
    cloud.reconcile_everywhere()
    assert _server(uuid) == ("ACTIVE", "src", "1")
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.bus.queue.extendleft(reversed(held))
    cloud.pump()
    assert _server(uuid) == ("VERIFY_RESIZE", "dst", "2")
    assert cloud.migration_of(uuid).new_flavor["flavorid"] == "2"
    assert cloud.usage_is_consistent()[0]


def test_resize_on_the_same_host(cloud):
    from godwit.conf import CONF
    CONF.set_override("allow_resize_to_same_host", True, group="compute")
    try:
        uuid = cloud.boot()
        cloud.api.resize(cloud.context, uuid, "2", host=None)
        cloud.bus.queue[0] = ("src",) + cloud.bus.queue[0][1:]
        cloud.pump()
        assert _server(uuid) == ("VERIFY_RESIZE", "src", "2")
        assert cloud.vms(uuid) == {"src": [uuid, uuid + "-orig"]}
        cloud.api.revert_resize(cloud.context, uuid)
        cloud.pump()
        assert _server(uuid) == ("ACTIVE", "src", "1")
        assert cloud.vms(uuid) == {"src": [uuid]}
        assert cloud.disk(uuid, "src") == cloud.expected_disk(uuid)
        assert cloud.usage_is_consistent()[0]
    finally:
        CONF.clear_override("allow_resize_to_same_host", group="compute")


def test_a_cancel_on_the_same_host_before_the_shutdown_keeps_the_running_vm(cloud):
    from godwit.conf import CONF
    CONF.set_override("allow_resize_to_same_host", True, group="compute")
    try:
        uuid = cloud.boot()
        driver = cloud.managers["src"].driver
        copy_base = driver.migrate_copy_base

        def cancelled_while_copying(instance, dest, progress):
            cloud.api.cancel_migration(cloud.context, cloud.migration_of(uuid).uuid)
            copy_base(instance, dest, progress)
        driver.migrate_copy_base = cancelled_while_copying
        cloud.api.resize(cloud.context, uuid, "2", host=None)
        cloud.bus.queue[0] = ("src",) + cloud.bus.queue[0][1:]
        cloud.pump()
        assert cloud.migration_of(uuid).status == states.CANCELLED
        assert _server(uuid) == ("ACTIVE", "src", "1")
        assert cloud.vms(uuid) == {"src": [uuid]}
        assert cloud.disk(uuid, "src") == cloud.expected_disk(uuid)
    finally:
        CONF.clear_override("allow_resize_to_same_host", group="compute")


def test_a_failed_copy_leaves_the_instance_running_on_the_source(cloud):
    uuid = cloud.boot()

    def broken(*args):
        raise OSError("No space left on device")
    cloud.managers["src"].driver.migrate_copy_delta = broken
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump()
    assert _server(uuid) == ("ACTIVE", "src", "1")
    migration = cloud.migration_of(uuid)
    assert migration.status == states.MIGRATION_ERROR
    assert "No space left on device" in migration.error
    assert cloud.vms(uuid) == {"src": [uuid]}
    assert cloud.managers["src"].driver.get_power_state(db.instance_get(uuid)) == \
        states.RUNNING
    assert db.host_get("dst").memory_mb_used == 0
    assert cloud.usage_is_consistent()[0]


def test_cancel_rolls_back_and_a_late_cancel_is_refused(cloud):
    uuid = cloud.boot()
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump(limit=1)  # the destination prepares; the source has not started
    migration = cloud.migration_of(uuid)
    assert migration.status == states.PRE_MIGRATING
    cloud.api.cancel_migration(cloud.context, migration.uuid)
    cloud.pump()
    assert _server(uuid) == ("ACTIVE", "src", "1")
    assert cloud.migration_of(uuid).status == states.CANCELLED
    with pytest.raises(exception.Conflict):
        cloud.api.cancel_migration(cloud.context, migration.uuid)
    assert cloud.usage_is_consistent()[0]


def test_delete_while_waiting_for_confirm_cleans_both_hosts(cloud):
    uuid = cloud.boot()
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump()
    cloud.managers["dst"].terminate_instance(cloud.context, uuid)
    cloud.pump()
    assert cloud.vms(uuid) == {}
    migration = cloud.migration_of(uuid)
    assert (migration.status, migration.next_step_host) == (states.FINISHED, None)
    assert [h.memory_mb_used for h in db.host_list()] == [0, 0]


def test_when_the_source_cannot_restart_the_instance_it_goes_to_error_with_a_fault(cloud):
    uuid = cloud.boot()
    source = cloud.managers["src"].driver

    def broken_copy(*args):
        raise OSError("Connection reset by peer")

    def broken_restore(*args):
        raise RuntimeError("the original disk is unreadable")
    source.migrate_copy_delta = broken_copy
    source.migrate_restore_source = broken_restore
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump()
    instance = db.instance_get(uuid, details=True)
    assert (instance.vm_state, instance.task_state, instance.host) == (
        states.ERROR, None, "src")
    assert "Connection reset by peer" in instance.faults[0].message
    assert "the original disk is unreadable" in instance.faults[0].message
    migration = cloud.migration_of(uuid)
    assert migration.status == states.MIGRATION_ERROR
    assert db.host_get("dst").memory_mb_used == 0
    assert cloud.usage_is_consistent()[0]
