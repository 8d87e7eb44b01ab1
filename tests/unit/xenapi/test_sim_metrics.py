"""A simulated host's free memory and load average follow the VMs running on it, as the
unmodified XenAPI client reads them."""
import pytest

from godwit.virt.xenapi.simulator import bootstrap
from tests.unit.xenapi.simulator_harness import failure, login, new_vm

GIB = 1024 ** 3
IDLE_FREE = bootstrap.MEMORY_TOTAL - bootstrap.DOM0_MEMORY
SIMULATED_HOSTS = ("a", "b")


@pytest.fixture
def pool(simulator):
    return login(simulator.url).xenapi


def _host(xenapi, name):
    (host,) = xenapi.host.get_by_name_label(name)
    return host


def _free(xenapi, name):
    """memory_free of the host, as both getters report it (they must agree)."""
    metrics = xenapi.host.get_metrics(_host(xenapi, name))
    free = xenapi.host_metrics.get_memory_free(metrics)
    assert xenapi.host_metrics.get_record(metrics)["memory_free"] == free
    assert xenapi.host_metrics.get_all_records()[metrics]["memory_free"] == free
    return int(free)


def _load(xenapi, name):
    return xenapi.host.query_data_source(_host(xenapi, name), "loadavg")


def _vm(xenapi, name, memory_gib, vcpus):
    vm = new_vm(xenapi, name)
    size = str(memory_gib * GIB)
    xenapi.VM.set_memory_limits(vm, size, size, size, size)
    xenapi.VM.set_VCPUs_max(vm, str(vcpus))
    xenapi.VM.set_VCPUs_at_startup(vm, str(vcpus))
    return vm


def test_an_idle_host_has_all_but_dom0_free_and_no_load(pool):
    assert _free(pool, "a") == IDLE_FREE == 15 * GIB
    assert _load(pool, "a") == 0.0


def test_running_vms_take_their_memory_and_add_their_vcpus_to_the_load(pool):
    big = _vm(pool, "big", 4, 2)
    small = _vm(pool, "small", 1, 1)
    pool.VM.start_on(big, _host(pool, "a"), False, False)
    pool.VM.start_on(small, _host(pool, "a"), False, False)
    assert (_free(pool, "a"), _load(pool, "a")) == (IDLE_FREE - 5 * GIB, 3.0)
    assert (_free(pool, "b"), _load(pool, "b")) == (IDLE_FREE, 0.0)

    pool.VM.pool_migrate(big, _host(pool, "b"), {"live": "true"})
    assert (_free(pool, "a"), _load(pool, "a")) == (IDLE_FREE - GIB, 1.0)
    assert (_free(pool, "b"), _load(pool, "b")) == (IDLE_FREE - 4 * GIB, 2.0)


def test_a_paused_vm_keeps_its_memory_but_adds_no_load(pool):
    vm = _vm(pool, "vm", 2, 4)
    pool.VM.start_on(vm, _host(pool, "a"), True, False)
    assert (_free(pool, "a"), _load(pool, "a")) == (IDLE_FREE - 2 * GIB, 0.0)
    pool.VM.unpause(vm)
    assert (_free(pool, "a"), _load(pool, "a")) == (IDLE_FREE - 2 * GIB, 4.0)


def test_stopped_and_suspended_vms_give_everything_back(pool):
    vm = _vm(pool, "vm", 2, 2)
    pool.VM.start_on(vm, _host(pool, "a"), False, False)
    pool.VM.suspend(vm)
    assert (_free(pool, "a"), _load(pool, "a")) == (IDLE_FREE, 0.0)
    pool.VM.resume_on(vm, _host(pool, "a"), False, False)
    pool.VM.hard_shutdown(vm)
    assert (_free(pool, "a"), _load(pool, "a")) == (IDLE_FREE, 0.0)


def test_a_dead_hosts_vms_hold_memory_until_reset_and_it_reports_no_load(simulator, pool):
    vm = _vm(pool, "vm", 2, 2)
    pool.VM.start_on(vm, _host(pool, "b"), False, False)
    simulator.set_host_power("b", False)
    assert _free(pool, "b") == IDLE_FREE - 2 * GIB
    assert failure(pool.host.query_data_source, _host(pool, "b"), "loadavg")[0] == \
        "HOST_OFFLINE"
    pool.VM.power_state_reset(vm)
    assert _free(pool, "b") == IDLE_FREE


def test_unknown_data_source_and_host(pool):
    assert failure(pool.host.query_data_source, _host(pool, "a"), "cpu0")[0] == \
        "INTERNAL_ERROR"
    assert failure(pool.host.query_data_source, "OpaqueRef:nope", "loadavg") == [
        "HANDLE_INVALID", "host", "OpaqueRef:nope"]
