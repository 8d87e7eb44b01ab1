"""The xenapi virt driver against simulated XenServer hosts, over real HTTP, with the real
dom0 migration plugin moving VHD files with real rsync."""
import concurrent.futures
import hashlib
import os
import types

import pytest

from godwit import exception
from godwit.compute import states
from godwit.conf import CONF
from godwit.virt import driver as virt_driver
from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.driver import XenAPIDriver
from godwit.virt.xenapi.simulator import storage
from tests.unit.xenapi.simulator_harness import PASSWORD, USER, crash_at, start_simulator

IMAGE = types.SimpleNamespace(uuid="0b6a9a63-35b4-4b5a-9a2d-4a4a3c1d5f01")
FLAVOR = {"vcpus": 2, "memory_mb": 1024}
REGION = 4 * 1024 * 1024  # where the tests' guest writes land


@pytest.fixture
def xen_conf(tmp_path):
    overrides = {"connection_username": USER, "connection_password": PASSWORD,
                 "staging_dir": str(tmp_path / "staging"), "rsync_transport": "local",
                 "task_poll_interval": 0.02, "connection_timeout": 5}
    for name, value in overrides.items():
        CONF.set_override(name, value, group="xenserver")
    CONF.set_override("shutdown_timeout", 1, group="compute")
    yield
    CONF.clear_override("shutdown_timeout", group="compute")
    for name in (*overrides, "connection_urls", "connection_url"):
        CONF.clear_override(name, group="xenserver")


def _instance(uuid="6f1b3c1e-0d0e-4a57-9d44-5b8c0c3e2a10", vcpus=1, memory_mb=512):
    return types.SimpleNamespace(uuid=uuid, vcpus=vcpus, memory_mb=memory_mb)


class Hosts:
    """Simulated XenServers, each with a driver whose godwit host has the same name."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.simulators = {}
        self.drivers = {}

    def add(self, *names):
        simulator = start_simulator(self.tmp_path / names[0], hosts=names)
        for name in names:
            self.simulators[name] = simulator
        urls = dict(CONF.xenserver.connection_urls, **{name: simulator.url for name in names})
        CONF.set_override("connection_urls", urls, group="xenserver")
        for name in names:
            self.drivers[name] = XenAPIDriver(name)
            self.drivers[name].init_host()
            self.drivers[name].simulator = simulator  # for the tests' look at the files
        return [self.drivers[name] for name in names]

    def stop(self):
        for simulator in set(self.simulators.values()):
            simulator.stop()


@pytest.fixture
def hosts(xen_conf, tmp_path):
    result = Hosts(tmp_path)
    yield result
    result.stop()


def _template_image(driver):
    """The image of the simulator's first template (templates are made from seed images)."""
    for record in driver.xen.call("VM.get_all_records").values():
        if record["is_a_template"] and "godwit_image" in record["other_config"]:
            return types.SimpleNamespace(uuid=record["other_config"]["godwit_image"])
    raise AssertionError("no template")


def _leaf_path(driver, name):
    vm = driver.xen.call("VM.get_by_name_label", name)[0]
    vdi = driver.xen.call("VBD.get_VDI", driver.xen.call("VM.get_VBDs", vm)[0])
    with driver.simulator.store.lock:
        return storage.vdi_path(driver.simulator.store, vdi)


def _write(driver, name, offset, data):
    """What the guest does: writes into the VM's current leaf VHD."""
    vhd.write(_leaf_path(driver, name), offset, data)


def _content(driver, name):
    return hashlib.sha256(vhd.read(_leaf_path(driver, name), 0, REGION)).hexdigest()


def _boot(driver, instance=None):
    instance = instance or _instance()
    driver.spawn(instance, _template_image(driver))
    return instance


@pytest.fixture
def one(hosts):
    (driver,) = hosts.add("xenserver-1")
    return driver


@pytest.fixture
def two(hosts):
    source, = hosts.add("source")
    dest, = hosts.add("dest")
    return source, dest


# --- host facts and errors ---------------------------------------------------------------------

def test_host_info_comes_from_the_host_record_and_metrics(one):
    info = one.get_host_info()
    assert info["hypervisor_version"] == "8.2.1"
    assert info["memory_mb"] == 16 * 1024
    assert (info["vcpus"], info["disk_gb"]) == (8, 100)
    assert info["address"] == "127.0.0.1"


def test_host_load_is_the_free_memory_of_the_metrics_and_the_loadavg(one):
    # An idle simulated host: only dom0 holds memory, no guest vCPU runs.
    assert one.get_host_load() == {"memory_free_mb": 16 * 1024 - 1024, "load_average": 0.0}
    _boot(one, _instance(vcpus=2, memory_mb=768))
    assert one.get_host_load() == {"memory_free_mb": 16 * 1024 - 1024 - 768,
                                   "load_average": 2.0}


def test_bad_credentials_name_the_user_and_the_xapi_code(hosts):
    CONF.set_override("connection_password", "wrong", group="xenserver")
    with pytest.raises(exception.HypervisorError) as caught:
        hosts.add("xenserver-1")
    assert "SESSION_AUTHENTICATION_FAILED" in str(caught.value)
    assert repr(USER) in str(caught.value)


def test_an_unreachable_host_names_its_url(xen_conf):
    CONF.set_override("connection_url", "http://127.0.0.1:9/", group="xenserver")
    driver = XenAPIDriver("nowhere")
    with pytest.raises(exception.HypervisorUnreachable) as caught:
        driver.init_host()
    assert "http://127.0.0.1:9/" in str(caught.value)


def test_xapi_failures_carry_their_code(one):
    with pytest.raises(exception.XenAPIError) as caught:
        one.xen.call("VM.start", "OpaqueRef:nope", False, False)
    assert caught.value.xapi_code == "HANDLE_INVALID"
    assert "HANDLE_INVALID" in str(caught.value)


def test_the_driver_logs_in_again_after_xapi_restarts(hosts, tmp_path):
    (driver,) = hosts.add("xenserver-1")
    simulator = hosts.simulators["xenserver-1"]
    port = simulator._server.server_address[1]
    simulator.stop()
    restarted = start_simulator(tmp_path / "xenserver-1", port=port, hosts=("xenserver-1",))
    hosts.simulators["xenserver-1"] = restarted
    assert driver.get_host_info()["hypervisor_version"] == "8.2.1"


# --- lifecycle ---------------------------------------------------------------------------------

def test_spawn_builds_a_running_vm_of_the_flavor_sizes(one):
    instance = _boot(one, _instance(vcpus=2, memory_mb=768))
    _boot(one, instance)  # again: quietly nothing
    assert one.get_power_state(instance) == states.RUNNING
    assert one.list_instances() == [instance.uuid]
    vm = one.xen.call("VM.get_by_name_label", instance.uuid)[0]
    record = one.xen.call("VM.get_record", vm)
    assert (record["VCPUs_max"], record["memory_static_max"]) == ("2", str(768 * 1024 ** 2))
    assert record["resident_on"] == one.xen.host_ref


def test_power_operations(one):
    instance = _boot(one)
    one.power_off(instance)
    assert one.get_power_state(instance) == states.SHUTDOWN
    one.power_on(instance)
    one.reboot(instance, hard=False)
    one.reboot(instance, hard=True)
    assert one.get_power_state(instance) == states.RUNNING
    one.suspend(instance)
    assert one.get_power_state(instance) == states.SUSPENDED
    one.resume(instance)
    assert one.get_power_state(instance) == states.RUNNING


def test_a_guest_ignoring_shutdown_is_halted_after_the_timeout(one):
    instance = _boot(one)
    vm = one.xen.call("VM.get_by_name_label", instance.uuid)[0]
    one.xen.call("VM.add_to_other_config", vm, "godwit_sim_ignore_shutdown", "true")
    one.power_off(instance)
    assert one.get_power_state(instance) == states.SHUTDOWN


def test_a_clean_shutdown_being_waited_for_can_be_abandoned(one):
    """What a start during a stop does (see godwit.compute.power): the XAPI task of the
    clean shutdown is cancelled and forgotten, and the VM keeps running."""
    instance = _boot(one)
    vm = one.xen.call("VM.get_by_name_label", instance.uuid)[0]
    one.xen.call("VM.add_to_other_config", vm, "godwit_sim_ignore_shutdown", "true")
    polls = []
    assert not one.shut_down(instance, timeout=600,
                             keep_waiting=lambda: polls.append(1) or len(polls) < 3)
    assert one.get_power_state(instance) == states.RUNNING
    assert one.xen.call("task.get_all") == []
    one.power_on(instance)
    assert one.get_power_state(instance) == states.RUNNING


def test_a_guest_that_shuts_down_leaves_no_task_behind(one):
    instance = _boot(one)
    assert one.shut_down(instance, timeout=600)
    assert one.get_power_state(instance) == states.SHUTDOWN
    assert one.xen.call("task.get_all") == []


def test_destroy_removes_the_vm_and_its_disks(one):
    instance = _boot(one)
    path = _leaf_path(one, instance.uuid)
    one.destroy(instance)
    one.destroy(instance)
    assert one.get_power_state(instance) == states.NOSTATE
    assert one.list_instances() == []
    assert not os.path.exists(path)


# --- two-phase migration -------------------------------------------------------------------

def _migrate(source, dest, instance, progress=None):
    """Every protocol step up to the destination's VM running (VERIFY_RESIZE)."""
    seen = []
    progress = progress or (lambda done, total: seen.append((done, total)))
    target = virt_driver.Destination(dest.host, "127.0.0.1")
    source.migrate_snapshot(instance)
    source.migrate_snapshot(instance)  # a step run twice changes nothing
    _write(source, instance.uuid, REGION - 65536, b"written after the snapshot" * 100)
    source.migrate_copy_base(instance, target, progress)
    _write(source, instance.uuid, 1024 * 1024, b"written during the base copy" * 100)
    source.migrate_power_off(instance)
    source.migrate_power_off(instance)
    before = _content(source, instance.uuid + "-orig")
    source.migrate_copy_delta(instance, target, progress)
    dest.migrate_finish(instance, FLAVOR, power_on=True)
    dest.migrate_finish(instance, FLAVOR, power_on=True)
    return before, seen


def test_a_migration_moves_the_disk_content_and_confirm_drops_the_original(two):
    source, dest = two
    instance = _boot(source)
    _write(source, instance.uuid, 0, b"written before the migration" * 100)
    before, seen = _migrate(source, dest, instance)
    assert seen and seen[-1][0] == seen[-1][1] > 0
    assert dest.get_power_state(instance) == states.RUNNING
    assert _content(dest, instance.uuid) == before
    vm = dest.xen.call("VM.get_by_name_label", instance.uuid)[0]
    assert dest.xen.call("VM.get_VCPUs_max", vm) == "2"
    assert source.get_power_state(instance) == states.NOSTATE  # set aside as -orig
    assert source.list_instances() == [instance.uuid]
    source.cleanup_migration(instance, keep_vm=False)
    assert source.list_instances() == []
    assert dest.list_instances() == [instance.uuid]


def test_revert_restarts_the_original_with_its_content(two):
    source, dest = two
    instance = _boot(source)
    _write(source, instance.uuid, 0, b"the original content" * 100)
    before, _ = _migrate(source, dest, instance)
    dest.migrate_drop_destination(instance)
    source.migrate_restore_source(instance, power_on=True)
    source.migrate_restore_source(instance, power_on=True)
    assert dest.list_instances() == []
    assert source.get_power_state(instance) == states.RUNNING
    assert _content(source, instance.uuid) == before
    assert not source.xen.call("VM.get_by_name_label", instance.uuid + "-snapshot")


def test_a_cancel_on_one_host_before_the_shutdown_keeps_the_running_source(one):
    instance = _boot(one)
    _write(one, instance.uuid, 0, b"keep me" * 100)
    before = _content(one, instance.uuid)
    one.migrate_snapshot(instance)
    one.migrate_copy_base(instance, virt_driver.Destination(one.host, "127.0.0.1"),
                          lambda done, total: None)
    one.migrate_drop_destination(instance)
    one.migrate_restore_source(instance, power_on=True)
    assert one.get_power_state(instance) == states.RUNNING
    assert _content(one, instance.uuid) == before


def test_a_resize_on_one_host_keeps_the_original_beside_the_new_vm(one):
    instance = _boot(one)
    _write(one, instance.uuid, 0, b"same host" * 100)
    before, _ = _migrate(one, one, instance)
    assert _content(one, instance.uuid) == before
    one.cleanup_migration(instance, keep_vm=True)
    assert one.get_power_state(instance) == states.RUNNING
    assert not one.xen.call("VM.get_by_name_label", instance.uuid + "-orig")
    assert one.list_instances() == [instance.uuid]


def test_a_cancelled_copy_stops_and_the_source_keeps_running(two):
    source, dest = two
    instance = _boot(source)

    def cancel(done, total):
        raise RuntimeError("cancelled")
    source.migrate_snapshot(instance)
    with pytest.raises(RuntimeError, match="cancelled"):
        source.migrate_copy_base(instance, virt_driver.Destination("dest", "127.0.0.1"),
                                 cancel)
    source.migrate_restore_source(instance, power_on=True)
    assert source.get_power_state(instance) == states.RUNNING


# --- live migration in a pool --------------------------------------------------------------

def test_live_migration_moves_a_running_vm_to_another_host_of_the_pool(hosts):
    first, second = hosts.add("pool-a", "pool-b")
    instance = _boot(first)
    first.live_migrate(instance, "pool-b")
    assert first.list_instances() == []
    assert second.list_instances() == [instance.uuid]
    assert second.get_power_state(instance) == states.RUNNING
    vm = second.xen.call("VM.get_by_name_label", instance.uuid)[0]
    assert second.xen.call("VM.get_resident_on", vm) == second.xen.host_ref


def test_a_second_migration_moves_the_longer_chain_back(two):
    source, dest = two
    instance = _boot(source)
    _write(source, instance.uuid, 0, b"first home" * 100)
    _migrate(source, dest, instance)
    source.cleanup_migration(instance, keep_vm=False)
    before, _ = _migrate(dest, source, instance)
    assert _content(source, instance.uuid) == before
    dest.cleanup_migration(instance, keep_vm=False)
    assert dest.list_instances() == []


def test_threads_share_a_few_sessions(hosts):
    CONF.set_override("connection_concurrent", 2, group="xenserver")
    try:
        (driver,) = hosts.add("xenserver-1")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            infos = list(pool.map(lambda _: driver.get_host_info(), range(32)))
    finally:
        CONF.clear_override("connection_concurrent", group="xenserver")
    assert {info["hypervisor_version"] for info in infos} == {"8.2.1"}
    assert driver.xen.session._free.qsize() <= 2


def test_a_finish_interrupted_after_creating_the_vm_completes_it_when_run_again(two):
    source, dest = two
    instance = _boot(source)
    _write(source, instance.uuid, 0, b"finish me" * 100)
    target = virt_driver.Destination(dest.host, "127.0.0.1")
    source.migrate_snapshot(instance)
    source.migrate_copy_base(instance, target, lambda done, total: None)
    source.migrate_power_off(instance)
    source.migrate_copy_delta(instance, target, lambda done, total: None)
    before = _content(source, instance.uuid + "-orig")
    with crash_at(dest, "VBD.create"):
        dest.migrate_finish(instance, FLAVOR, power_on=True)
    dest.migrate_finish(instance, FLAVOR, power_on=True)
    assert len(dest.xen.call("VM.get_by_name_label", instance.uuid)) == 1
    assert dest.get_power_state(instance) == states.RUNNING
    assert _content(dest, instance.uuid) == before
