"""The fake driver's side of an HA recovery: its host directories stand for storage every
host sees, so a dead host's VM (or the original a migration set aside) moves to the
target, and the files say where a VM last ran."""
import types

from godwit.compute import states
from godwit.virt import driver as virt_driver
from godwit.virt.fake import FakeDriver

IMAGE = types.SimpleNamespace(uuid="img")


def _hosts(*names):
    drivers = [FakeDriver(name) for name in names]
    for driver in drivers:
        driver.init_host()
    return drivers


def _running(dead, instance):
    dead.spawn(instance, IMAGE)
    dead.write_guest_data(instance.uuid, b"written on the dead host\n")
    return dead.disk_content(instance.uuid)


def test_a_dead_hosts_vm_moves_to_the_target_and_starts():
    dead, target = _hosts("dead", "target")
    instance = types.SimpleNamespace(uuid="vm-1")
    before = _running(dead, instance)
    target.recover(instance, "dead", power_on=True)
    target.recover(instance, "dead", power_on=True)  # sent again: nothing changes
    assert (dead.list_instances(), target.list_instances()) == ([], ["vm-1"])
    assert target.get_power_state(instance) == states.RUNNING
    assert target.disk_content("vm-1") == before


def test_an_original_set_aside_by_a_dead_migration_source_becomes_the_vm():
    dead, dest, target = _hosts("dead", "dest", "target")
    instance = types.SimpleNamespace(uuid="vm-1")
    _running(dead, instance)
    dead.migrate_snapshot(instance)
    dead.write_guest_data("vm-1", b"written after the snapshot\n")
    before = dead.disk_content("vm-1")
    dead.migrate_copy_base(instance, virt_driver.Destination("dest", "127.0.0.1"),
                           lambda done, total: None)
    dead.migrate_power_off(instance)
    target.recover(instance, "dead", power_on=False)
    assert (dead.list_instances(), target.list_instances()) == ([], ["vm-1"])
    assert target.get_power_state(instance) == states.SHUTDOWN
    assert target.disk_content("vm-1") == before


def test_the_files_say_which_host_a_vm_last_ran_on():
    source, dest = _hosts("source", "dest")
    instance = types.SimpleNamespace(uuid="vm-1")
    assert source.live_migration_location(instance) is None
    source.spawn(instance, IMAGE)
    assert dest.live_migration_location(instance) == "source"
    source.hard_power_off(instance)
    assert dest.live_migration_location(instance) is None
