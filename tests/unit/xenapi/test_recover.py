"""Recovery of an instance of a dead pool host with the xenapi driver, against a simulated
pool of two hosts sharing an SR: powering a host off leaves its VMs recorded as running
there, as XAPI does until the host rejoins the pool."""
import pytest

from godwit import exception
from godwit.compute import states
from godwit.virt.xenapi import vmops
from tests.unit.xenapi.simulator_harness import crash_at
from tests.unit.xenapi.test_driver import (  # noqa: F401 - xen_conf is a fixture
    Hosts,
    _boot,
    _content,
    _write,
    xen_conf,
)


@pytest.fixture
def pool(xen_conf, tmp_path):  # noqa: F811 - the fixture imported above
    """Drivers of pool-a and pool-b, one pool; pool-a runs an instance with data on it."""
    hosts = Hosts(tmp_path)
    dead, target = hosts.add("pool-a", "pool-b")
    instance = _boot(dead)
    _write(dead, instance.uuid, 0, b"written before the host died" * 100)
    yield dead, target, instance
    hosts.stop()


def _power_off(driver):
    driver.simulator.set_host_power(driver.host, False)


def _where(driver, instance):
    """(power state, resident host's name) of the instance's VM, as the pool says."""
    vm = vmops.instance_vm(driver.xen, instance.uuid)
    resident = driver.xen.call("VM.get_resident_on", vm)
    return (driver.xen.call("VM.get_power_state", vm),
            None if resident == vmops.NULL_REF else
            driver.xen.call("host.get_name_label", resident))


def test_a_vm_of_a_powered_off_host_is_reset_and_started_on_the_target(pool):
    dead, target, instance = pool
    before = _content(dead, instance.uuid)
    _power_off(dead)
    assert _where(target, instance) == ("Running", "pool-a")  # the pool does not know yet
    target.recover(instance, "pool-a", power_on=True)
    assert _where(target, instance) == ("Running", "pool-b")
    assert target.get_power_state(instance) == states.RUNNING
    assert (dead.list_instances(), target.list_instances()) == ([], [instance.uuid])
    assert _content(target, instance.uuid) == before


def test_a_stopped_instance_is_taken_over_and_left_off(pool):
    dead, target, instance = pool
    _power_off(dead)
    target.recover(instance, "pool-a", power_on=False)
    assert _where(target, instance) == ("Halted", None)
    assert target.list_instances() == [instance.uuid]


def test_an_original_a_dead_migration_source_set_aside_is_recovered(pool):
    dead, target, instance = pool
    dead.migrate_snapshot(instance)
    _write(dead, instance.uuid, 1024 * 1024, b"written after the snapshot" * 100)
    dead.migrate_power_off(instance)
    before = _content(dead, instance.uuid + "-orig")
    _power_off(dead)
    target.recover(instance, "pool-a", power_on=True)
    assert _where(target, instance) == ("Running", "pool-b")
    assert _content(target, instance.uuid) == before
    assert target.xen.call("VM.get_by_name_label", instance.uuid + "-orig") == []
    dead.simulator.set_host_power("pool-a", True)
    dead.cleanup_migration(instance, keep_vm=False)  # its clean-up once back: the snapshot
    assert _where(target, instance) == ("Running", "pool-b")
    assert _content(target, instance.uuid) == before
    assert target.xen.call("VM.get_by_name_label", instance.uuid + "-snapshot") == []


def test_a_vm_with_a_disk_on_the_dead_hosts_local_storage_is_refused(pool):
    dead, target, instance = pool
    _move_to_local_storage(dead, instance)
    _power_off(dead)
    with pytest.raises(exception.HypervisorError, match="local to host pool-a"):
        target.recover(instance, "pool-a", power_on=True)
    assert _where(target, instance) == ("Running", "pool-a")  # untouched
    assert target.list_instances() == []


def _move_to_local_storage(driver, instance):
    """The instance's VM becomes a copy on ``driver``'s local SR, running there."""
    xen = driver.xen
    vm = vmops.instance_vm(xen, instance.uuid)
    driver.hard_power_off(instance)
    local = next(pbd["SR"] for pbd in xen.call("PBD.get_all_records").values()
                 if pbd["host"] == xen.host_ref and not xen.call("SR.get_shared", pbd["SR"]))
    xen.call("VM.copy", vm, instance.uuid, local)
    vmops.destroy_vm(xen, vm)
    driver.power_on(instance)


def test_a_recovery_that_crashed_midway_completes_when_run_again(pool):
    dead, target, instance = pool
    before = _content(dead, instance.uuid)
    _power_off(dead)
    with crash_at(target, "VM.start_on"):
        target.recover(instance, "pool-a", power_on=True)
    assert _where(target, instance) == ("Halted", None)  # reset, not started yet
    target.recover(instance, "pool-a", power_on=True)
    vm = vmops.instance_vm(target.xen, instance.uuid)
    domid = target.xen.call("VM.get_domid", vm)
    target.recover(instance, "pool-a", power_on=True)  # a cast sent again: nothing changes
    assert _where(target, instance) == ("Running", "pool-b")
    assert target.xen.call("VM.get_domid", vm) == domid
    assert len(target.xen.call("VM.get_by_name_label", instance.uuid)) == 1
    assert _content(target, instance.uuid) == before


def test_a_live_pool_member_says_where_a_live_migrated_vm_died_until_its_host_rejoins(
        pool):
    source, dest, instance = pool
    source.live_migrate(instance, "pool-b")
    _power_off(dest)
    assert source.live_migration_location(instance) == "pool-b"
    dest.simulator.set_host_power("pool-b", True)  # rebooted: its VMs are halted
    assert source.live_migration_location(instance) is None
