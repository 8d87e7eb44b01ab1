"""start_on, resume_on, pool_migrate, memory limits, task.cancel and a guest that ignores
clean shutdown, through the unmodified XenAPI client."""
import threading
import time

import pytest

from godwit.virt.xenapi.simulator import vm as vm_module
from tests.unit.xenapi.simulator_harness import failure, login, new_vm, start_simulator, wait_for

GIB = 1024 ** 3
IGNORE = {vm_module.IGNORE_SHUTDOWN_KEY: "true"}


SIMULATED_HOSTS = ("a", "b")


@pytest.fixture
def pool(xenapi):
    """A session to a simulated pool of two hosts sharing an SR."""
    return xenapi


def _hosts(xenapi):
    master = xenapi.pool.get_master(xenapi.pool.get_all()[0])
    other = next(host for host in xenapi.host.get_all() if host != master)
    return master, other


def test_start_on_and_resume_on_the_given_host(pool):
    master, other = _hosts(pool)
    vm = new_vm(pool)
    pool.VM.start_on(vm, other, False, False)
    assert pool.VM.get_resident_on(vm) == other and pool.VM.get_power_state(vm) == "Running"
    assert vm in pool.host.get_resident_VMs(other)
    pool.VM.suspend(vm)
    assert failure(pool.VM.resume_on, vm, "OpaqueRef:nope", False, False) == [
        "HANDLE_INVALID", "host", "OpaqueRef:nope"]
    pool.VM.resume_on(vm, other, True, False)
    assert (pool.VM.get_resident_on(vm), pool.VM.get_power_state(vm)) == (other, "Paused")
    pool.VM.hard_shutdown(vm)
    pool.VM.start(vm, False, False)
    assert pool.VM.get_resident_on(vm) == master


def test_start_on_errors(pool):
    _, other = _hosts(pool)
    vm = new_vm(pool)
    assert failure(pool.VM.start_on, vm, "OpaqueRef:nope", False, False) == [
        "HANDLE_INVALID", "host", "OpaqueRef:nope"]
    assert pool.VM.get_power_state(vm) == "Halted"
    template = pool.VM.get_by_name_label("debian-12")[0]
    assert failure(pool.VM.start_on, template, other, False, False)[0] == "VM_IS_TEMPLATE"


def test_pool_migrate_moves_a_running_vm(pool):
    master, other = _hosts(pool)
    vm = new_vm(pool)
    assert failure(pool.VM.pool_migrate, vm, other, {"live": "true"}) == [
        "VM_BAD_POWER_STATE", vm, "running", "halted"]
    pool.VM.start(vm, False, False)
    assert failure(pool.VM.pool_migrate, vm, "OpaqueRef:nope", {})[0] == "HANDLE_INVALID"
    pool.VM.pool_migrate(vm, other, {"live": "true"})
    assert pool.VM.get_resident_on(vm) == other
    assert pool.VM.get_power_state(vm) == "Running"
    pool.VM.pool_migrate(vm, master, {})
    assert pool.VM.get_resident_on(vm) == master


def test_pool_migrate_needs_shared_storage(pool):
    _, other = _hosts(pool)
    vm = new_vm(pool)
    local = pool.SR.get_by_name_label("Local storage")[0]
    vdi = pool.VDI.create({"SR": local, "virtual_size": str(GIB)})
    pool.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "1", "type": "Disk", "mode": "RW"})
    pool.VM.start(vm, False, False)
    assert failure(pool.VM.pool_migrate, vm, other, {}) == ["VM_REQUIRES_SR", vm, local]
    assert pool.VM.get_resident_on(vm) != other


def test_set_memory_limits(xenapi):
    vm = new_vm(xenapi)
    xenapi.VM.set_memory_limits(vm, str(GIB), str(2 * GIB), str(GIB), str(2 * GIB))
    record = xenapi.VM.get_record(vm)
    assert (record["memory_static_min"], record["memory_dynamic_min"]) == (str(GIB), str(GIB))
    assert record["memory_static_max"] == record["memory_dynamic_max"] == str(2 * GIB)
    assert failure(xenapi.VM.set_memory_limits, vm, str(2 * GIB), str(GIB), str(GIB),
                   str(GIB))[0] == "MEMORY_CONSTRAINT_VIOLATION"
    xenapi.VM.start(vm, False, False)
    xenapi.VM.set_memory_limits(vm, str(GIB), str(2 * GIB), str(2 * GIB), str(2 * GIB))
    assert failure(xenapi.VM.set_memory_limits, vm, str(GIB), str(4 * GIB), str(GIB),
                   str(GIB))[0] == "VM_BAD_POWER_STATE"


def test_vbds_are_attached_while_the_vm_runs(xenapi):
    vm = new_vm(xenapi)
    vbd = xenapi.VM.get_VBDs(vm)[0]
    xenapi.VM.start(vm, False, False)
    assert xenapi.VBD.get_currently_attached(vbd)
    xenapi.VM.clean_shutdown(vm)
    assert not xenapi.VBD.get_currently_attached(vbd)


def _ignoring_vm(xenapi):
    vm = new_vm(xenapi)
    xenapi.VM.set_other_config(vm, IGNORE)
    xenapi.VM.start(vm, False, False)
    return vm


def test_a_guest_ignoring_clean_shutdown_is_halted_by_hard_shutdown(xenapi):
    vm = _ignoring_vm(xenapi)
    task = xenapi.Async.VM.clean_shutdown(vm)
    time.sleep(0.2)
    assert xenapi.task.get_status(task) == "pending"
    assert xenapi.VM.get_power_state(vm) == "Running"
    xenapi.VM.hard_shutdown(vm)  # answered while the clean shutdown waits
    assert xenapi.VM.get_power_state(vm) == "Halted"
    xenapi.task.cancel(task)
    record = wait_for(xenapi, task, timeout=2)
    assert record["status"] == "cancelled"
    assert record["error_info"] == ["TASK_CANCELLED", task]
    assert failure(xenapi.task.cancel, task)[0] == "OPERATION_NOT_ALLOWED"
    assert failure(xenapi.task.cancel, "OpaqueRef:nope")[0] == "HANDLE_INVALID"


def test_clean_shutdown_of_an_ignoring_guest_times_out(xenapi, monkeypatch):
    monkeypatch.setattr(vm_module, "SHUTDOWN_TIMEOUT", 0.2)
    vm = _ignoring_vm(xenapi)
    assert failure(xenapi.VM.clean_shutdown, vm) == ["VM_SHUTDOWN_TIMEOUT", vm, "0.2"]
    assert xenapi.VM.get_power_state(vm) == "Running"
    record = wait_for(xenapi, xenapi.Async.VM.clean_shutdown(vm), timeout=2)
    assert record["status"] == "failure" and record["error_info"][0] == "VM_SHUTDOWN_TIMEOUT"


def test_stop_cancels_a_waiting_clean_shutdown(tmp_path):
    simulator = start_simulator(tmp_path / "xapi")
    xenapi = login(simulator.url).xenapi
    xenapi.Async.VM.clean_shutdown(_ignoring_vm(xenapi))
    time.sleep(0.1)
    assert _waiting_shutdowns()
    simulator.stop()
    deadline = time.monotonic() + 1
    while _waiting_shutdowns():
        assert time.monotonic() < deadline, "the clean shutdown still waits"
        time.sleep(0.01)


def _waiting_shutdowns():
    return [thread for thread in threading.enumerate()
            if thread.name == "xapi Async.VM.clean_shutdown"]
