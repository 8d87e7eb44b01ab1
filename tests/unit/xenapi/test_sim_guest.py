"""The simulated guest: running VMs write to their first disk and journal what they wrote."""
import os
import time

import pytest

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import guest, storage
from tests.unit.xenapi.simulator_harness import disk_of, login, new_vm, start_simulator

RATE = 20 * 1024 * 1024  # about 32 chunks per VM and tick


@pytest.fixture
def writing(tmp_path):
    """A simulator whose guests write, and a session to it."""
    simulator = start_simulator(tmp_path / "xapi", guest_write_rate=RATE)
    yield simulator, login(simulator.url).xenapi
    simulator.stop()


def _running_vm(xenapi):
    vm = new_vm(xenapi)
    xenapi.VM.start(vm, False, False)
    return vm


def _wait_for_journal(state_dir, vm_uuid, timeout=2.5):
    deadline = time.monotonic() + timeout
    while not guest.journal(state_dir, vm_uuid):
        assert time.monotonic() < deadline, "no journal"
        time.sleep(0.05)
    return guest.journal(state_dir, vm_uuid)


def test_a_running_guest_writes_and_its_journal_matches_the_disk(writing):
    simulator, xenapi = writing
    vm = _running_vm(xenapi)
    time.sleep(0.35)
    xenapi.VM.hard_shutdown(vm)
    entries = guest.journal(simulator.state_dir, xenapi.VM.get_uuid(vm))
    assert len(entries) > 10
    assert all(offset % guest.CHUNK == 0 and offset < guest.REGION for offset in entries)
    path = storage.vdi_path(simulator.store, disk_of(xenapi, vm))
    assert guest.verify(entries, path) == []
    corrupted = sorted(entries)[0]
    vhd.write(path, corrupted, bytes(guest.CHUNK))
    assert guest.verify(entries, path) == [corrupted]


def test_halted_and_control_domain_vms_do_not_write(writing):
    simulator, xenapi = writing
    vm = new_vm(xenapi)
    path = storage.vdi_path(simulator.store, disk_of(xenapi, vm))
    size = os.path.getsize(path)
    time.sleep(0.25)
    assert os.path.getsize(path) == size
    assert not os.path.exists(os.path.join(simulator.state_dir, guest.DIRECTORY))


def test_after_a_snapshot_writes_go_to_the_child_only(writing):
    simulator, xenapi = writing
    vm = _running_vm(xenapi)
    time.sleep(0.25)
    snapshot = xenapi.VM.snapshot(vm, "snap")
    base = xenapi.VDI.get_sm_config(disk_of(xenapi, vm))["vhd-parent"]
    base_path = storage.vdi_path(simulator.store, xenapi.VDI.get_by_uuid(base))
    frozen = vhd.read(base_path, 0, guest.REGION)
    snap_path = storage.vdi_path(simulator.store, disk_of(xenapi, snapshot))
    assert vhd.read(snap_path, 0, guest.REGION) == frozen
    time.sleep(0.25)
    xenapi.VM.suspend(vm)
    entries = guest.journal(simulator.state_dir, xenapi.VM.get_uuid(vm))
    assert guest.verify(entries, storage.vdi_path(simulator.store, disk_of(xenapi, vm))) == []
    assert vhd.read(base_path, 0, guest.REGION) == frozen
    assert vhd.read(snap_path, 0, guest.REGION) == frozen
    assert guest.verify(entries, snap_path) != []


def test_the_journal_is_flushed_while_running_and_on_stop(tmp_path, monkeypatch):
    monkeypatch.setattr(guest, "FLUSH_SECONDS", 0.2)
    simulator = start_simulator(tmp_path / "xapi", guest_write_rate=RATE)
    xenapi = login(simulator.url).xenapi
    vm = _running_vm(xenapi)
    vm_uuid = xenapi.VM.get_uuid(vm)
    path = storage.vdi_path(simulator.store, disk_of(xenapi, vm))
    _wait_for_journal(simulator.state_dir, vm_uuid, timeout=1)
    simulator.stop()
    entries = guest.journal(simulator.state_dir, vm_uuid)
    assert entries and guest.verify(entries, path) == []


def test_a_restarted_simulator_extends_the_journal(tmp_path):
    simulator = start_simulator(tmp_path / "xapi", guest_write_rate=RATE)
    xenapi = login(simulator.url).xenapi
    vm = _running_vm(xenapi)
    vm_uuid = xenapi.VM.get_uuid(vm)
    time.sleep(0.25)
    simulator.stop()
    first = guest.journal(simulator.state_dir, vm_uuid)
    simulator = start_simulator(tmp_path / "xapi", guest_write_rate=RATE)
    try:
        time.sleep(0.25)
    finally:
        simulator.stop()
    entries = guest.journal(simulator.state_dir, vm_uuid)
    assert set(first) <= set(entries) and entries != first
    path = storage.vdi_path(simulator.store, guest.disk_vdi(simulator.store, vm))
    assert guest.verify(entries, path) == []


def test_no_journal_means_nothing_to_verify(tmp_path):
    assert guest.journal(str(tmp_path), "nobody") == {}
    path = str(tmp_path / "disk.vhd")
    vhd.create_dynamic(path, guest.CHUNK * 4)
    assert guest.verify({}, path) == []
