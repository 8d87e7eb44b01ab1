"""The source's step of a live migration, and how a restarted worker (or the periodic
reconciler) settles one a crash left in flight, by asking the hypervisor where the VM runs."""
import pytest

from godwit import exception
from godwit.compute import live_migration, reconcile, states
from godwit.db import api as db
from godwit.db import hierarchy, models


class Driver:
    """Stands in for the xenapi driver: the VM runs on ``location`` (a host name or None)."""

    host = "src"

    def __init__(self, location="src", fail=None):
        self.location = location
        self.fail = fail
        self.moves = []

    def live_migrate(self, instance, dest_host):
        if self.fail:
            raise exception.XenAPIError("VM.pool_migrate", [self.fail, "vm", "dst"])
        self.moves.append((instance.uuid, dest_host))
        self.location = dest_host

    def live_migration_location(self, instance):
        return self.location

    def remove_firewall(self, instance):
        self.firewalls_removed = instance.uuid


class RPC:
    def __init__(self):
        self.casts = []

    def refresh_firewall(self, context, host, instance_uuids):
        self.casts.append(("refresh_firewall", host, instance_uuids))


class Manager:
    def __init__(self, driver, host="src"):
        self.host = host
        self.driver = driver
        self.compute_rpcapi = RPC()


def shared_instance_on_src():
    """Hosts src and dst in one enabled cluster, m1.tiny, and a running shared-storage VM
    on src (returned)."""
    zone = hierarchy.create(models.Zone, {"name": "z", "allocation_state": "Enabled"}).row
    pod = hierarchy.create(models.Pod, {"name": "p", "allocation_state": "Enabled"},
                           zone.uuid).row
    cluster = hierarchy.create(models.Cluster, {"name": "c", "hypervisor_type": "xen",
                                                "allocation_state": "Enabled"}, pod.uuid).row
    for name in ("src", "dst"):
        db.host_register(name, dict(hypervisor_type="xen", vcpus=8, memory_mb=16384,
                                    disk_gb=100),
                         new_host={"cluster_id": cluster.id, "allocation_state": "Enabled"})
        db.service_register(name, "godwit-compute", "compute")
    db.flavor_create(dict(flavorid="1", name="m1.tiny", vcpus=1, memory_mb=512, root_gb=1,
                          extra_specs={}))
    return db.instance_create(dict(
        display_name="vm", project_id="p", user_id="u", flavorid="1", flavor_name="m1.tiny",
        image_ref="i", vcpus=1, memory_mb=512, root_gb=1, host="src", node="src",
        vm_state=states.ACTIVE, task_state=None, power_state=states.RUNNING,
        storage_kind="shared"))


@pytest.fixture
def flight(sqlite_db):
    """An instance on src with its live migration to dst begun (claimed, not yet moved)."""
    instance = shared_instance_on_src()
    db.host_recount_usage("src")
    migration = live_migration.begin(instance, live_migration.check_movable(instance), "dst")
    return instance.uuid, migration.uuid


def _state(instance_uuid, migration_uuid):
    instance, migration = db.instance_get(instance_uuid), db.migration_get(migration_uuid)
    usage = {name: db.host_get(name).vcpus_used for name in ("src", "dst")}
    return (instance.vm_state, instance.task_state, instance.host, migration.status, usage)


def _fault(instance_uuid):
    return db.instance_get(instance_uuid, details=True).faults[0].message


def test_begin_claims_the_destination_before_anything_moves(flight):
    assert _state(*flight) == (states.ACTIVE, states.LIVE_MIGRATING_TASK, "src",
                               states.LIVE_RUNNING, {"src": 1, "dst": 1})


def test_a_successful_move_puts_the_instance_and_its_claim_on_the_destination(flight):
    driver = Driver()
    manager = Manager(driver)
    live_migration.run(manager, flight[1])
    assert driver.moves == [(flight[0], "dst")]
    # Its security group rules leave the source for the destination.
    assert driver.firewalls_removed == flight[0]
    assert manager.compute_rpcapi.casts == [("refresh_firewall", "dst", [flight[0]])]
    assert _state(*flight) == (states.ACTIVE, None, "dst", states.FINISHED,
                               {"src": 0, "dst": 1})
    # An admin's live migration is forced: the instance has no home to go back to.
    assert db.instance_get(flight[0]).previous_host is None


def test_a_failed_move_leaves_the_instance_running_on_the_source_with_a_fault(flight):
    live_migration.run(Manager(Driver(fail="VM_MIGRATE_FAILED")), flight[1])
    assert _state(*flight) == (states.ACTIVE, None, "src", states.MIGRATION_ERROR,
                               {"src": 1, "dst": 0})
    error = db.migration_get(flight[1]).error
    assert "Live migration to host dst failed" in error and "VM_MIGRATE_FAILED" in error
    assert _fault(flight[0]) == error


def test_running_it_again_changes_nothing(flight):
    driver = Driver()
    live_migration.run(Manager(driver), flight[1])
    live_migration.run(Manager(driver), flight[1])
    assert len(driver.moves) == 1
    assert _state(*flight)[3:] == (states.FINISHED, {"src": 0, "dst": 1})


def test_a_restart_after_the_vm_moved_finishes_the_migration(flight):
    """The worker died after VM.pool_migrate, before the database said so."""
    driver = Driver(location="dst")
    reconcile.recover_instance(Manager(driver), db.instance_get(flight[0]))
    assert driver.moves == [(flight[0], "dst")]  # hands the VM over (re-tags it)
    assert _state(*flight) == (states.ACTIVE, None, "dst", states.FINISHED,
                               {"src": 0, "dst": 1})


def test_a_restart_before_the_vm_moved_ends_the_migration_on_the_source(flight):
    """The worker died before VM.pool_migrate (or the cast was lost)."""
    driver = Driver(location="src")
    reconcile.recover_instance(Manager(driver), db.instance_get(flight[0]))
    assert driver.moves == []
    assert _state(*flight) == (states.ACTIVE, None, "src", states.MIGRATION_ERROR,
                               {"src": 1, "dst": 0})
    assert "interrupted" in _fault(flight[0])


def test_a_restart_finding_the_vm_nowhere_puts_the_instance_in_error(flight):
    reconcile.recover_instance(Manager(Driver(location=None)), db.instance_get(flight[0]))
    assert _state(*flight) == (states.ERROR, None, "src", states.MIGRATION_ERROR,
                               {"src": 1, "dst": 0})
    assert "runs on no host" in _fault(flight[0])


def test_a_stuck_task_without_a_live_migration_is_cleared(flight):
    db.migration_update(flight[1], {"status": states.MIGRATION_ERROR})
    reconcile.recover_instance(Manager(Driver()), db.instance_get(flight[0]))
    assert db.instance_get(flight[0]).task_state is None
