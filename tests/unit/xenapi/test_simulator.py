"""The XAPI simulator as the unmodified XenAPI client sees it, over real HTTP."""
import os
import xmlrpc.client

import XenAPI

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import Simulator, storage
from tests.unit.xenapi.simulator_harness import (
    USER,
    failure,
    login,
    new_vm,
    start_simulator,
    task_result,
    wait_for,
)

CLASSES = ["pool", "host", "host_metrics", "SR", "PBD", "VDI", "VBD", "VM", "task"]


def test_login_and_bad_password(simulator):
    session = login(simulator.url)
    assert session.handle.startswith("OpaqueRef:")
    bad = XenAPI.Session(simulator.url)
    details = failure(bad.login_with_password, USER, "wrong", "2.21", "tests")
    assert details[0] == "SESSION_AUTHENTICATION_FAILED"


def test_unknown_session_and_method(simulator, xenapi):
    proxy = xmlrpc.client.ServerProxy(simulator.url, allow_none=True)
    assert proxy.VM.get_all("OpaqueRef:nope") == {
        "Status": "Failure", "ErrorDescription": ["SESSION_INVALID", "OpaqueRef:nope"]}
    assert failure(xenapi.VM.no_such_call)[0] == "MESSAGE_METHOD_UNKNOWN"
    assert failure(xenapi.VM.get_record)[0] == "MESSAGE_PARAMETER_COUNT_MISMATCH"


def test_bootstrap_records(xenapi):
    records = {cls: getattr(xenapi, cls).get_all_records() for cls in CLASSES}
    assert all(records[cls] for cls in CLASSES if cls != "task")
    pool = next(iter(records["pool"].values()))
    host = records["host"][pool["master"]]
    assert host["name_label"] == "xenserver-1"
    assert host["software_version"]["product_version"]
    assert int(xenapi.host_metrics.get_memory_free(host["metrics"])) > 0
    templates = [vm for vm in records["VM"].values() if vm["is_a_template"]]
    assert {vm["name_label"] for vm in templates} == {"cirros-0.6.2", "debian-12"}


def test_sr_is_a_directory_and_vdi_a_file(simulator, xenapi):
    vm = new_vm(xenapi)
    vdi = xenapi.VBD.get_VDI(xenapi.VM.get_VBDs(vm)[0])
    record = xenapi.VDI.get_record(vdi)
    path = storage.vdi_path(simulator.store, vdi)
    assert os.path.isfile(path) and path.endswith(record["uuid"] + ".vhd")
    assert record["virtual_size"] == str(1024 ** 3)
    assert vdi in xenapi.SR.get_VDIs(record["SR"])
    assert vhd.check(path) == []
    assert vhd.info(path)["virtual_size"] == 1024 ** 3
    template_disks = {storage.vdi_path(simulator.store, ref)
                      for ref in xenapi.VDI.get_all() if ref != vdi}
    assert vhd.info(path)["uuid"] not in {vhd.info(other)["uuid"] for other in template_disks
                                          if os.path.exists(other)}


def test_lifecycle(xenapi):
    vm = new_vm(xenapi)
    assert xenapi.VM.get_power_state(vm) == "Halted"
    xenapi.VM.start(vm, False, False)
    assert xenapi.VM.get_record(vm)["resident_on"] in xenapi.host.get_all()
    xenapi.VM.clean_reboot(vm)
    xenapi.VM.clean_shutdown(vm)
    assert xenapi.VM.get_power_state(vm) == "Halted"
    xenapi.VM.start(vm, True, False)
    assert xenapi.VM.get_power_state(vm) == "Paused"
    xenapi.VM.hard_shutdown(vm)
    xenapi.VM.start(vm, False, False)
    xenapi.VM.suspend(vm)
    xenapi.VM.resume(vm, False, False)
    assert xenapi.VM.get_power_state(vm) == "Running"
    xenapi.VM.hard_shutdown(vm)
    vbds = xenapi.VM.get_VBDs(vm)
    xenapi.VM.destroy(vm)
    assert failure(xenapi.VBD.get_record, vbds[0])[0] == "HANDLE_INVALID"


def test_bad_power_state_and_templates(xenapi):
    template = xenapi.VM.get_by_name_label("debian-12")[0]
    assert failure(xenapi.VM.start, template, False, False) == ["VM_IS_TEMPLATE", template]
    vm = new_vm(xenapi)
    assert failure(xenapi.VM.clean_shutdown, vm) == ["VM_BAD_POWER_STATE", vm, "running",
                                                     "halted"]
    xenapi.VM.start(vm, False, False)
    assert failure(xenapi.VM.start, vm, False, False) == ["VM_BAD_POWER_STATE", vm, "halted",
                                                          "running"]
    assert failure(xenapi.VM.destroy, vm)[0] == "VM_BAD_POWER_STATE"


def test_handle_and_uuid_invalid(xenapi):
    assert failure(xenapi.VM.get_record, "OpaqueRef:nope") == [
        "HANDLE_INVALID", "VM", "OpaqueRef:nope"]
    assert failure(xenapi.SR.get_by_uuid, "nope") == ["UUID_INVALID", "SR", "nope"]


def test_get_by_name_label_and_uuid(xenapi):
    first, second = new_vm(xenapi, "twin"), new_vm(xenapi, "twin")
    assert sorted(xenapi.VM.get_by_name_label("twin")) == sorted([first, second])
    assert xenapi.VM.get_by_name_label("nobody") == []
    xenapi.VM.set_name_label(second, "single")
    assert xenapi.VM.get_by_name_label("single") == [second]
    assert xenapi.VM.get_by_uuid(xenapi.VM.get_uuid(first)) == first


def test_copy_into_another_sr(xenapi):
    vm = new_vm(xenapi)
    sr = xenapi.SR.get_by_name_label("Local storage")[0]
    copy = xenapi.VM.copy(vm, "copy", sr)
    source_vdi = xenapi.VBD.get_VDI(xenapi.VM.get_VBDs(vm)[0])
    copy_vdi = xenapi.VBD.get_VDI(xenapi.VM.get_VBDs(copy)[0])
    assert copy_vdi != source_vdi
    assert xenapi.VDI.get_SR(copy_vdi) == sr


def test_async_call_and_its_task(xenapi):
    template = xenapi.VM.get_by_name_label("cirros-0.6.2")[0]
    task = xenapi.Async.VM.clone(template, "async")
    record = wait_for(xenapi, task)
    assert record["status"] == "success" and record["progress"] == 1.0
    vm = task_result(record)
    assert xenapi.VM.get_name_label(vm) == "async"
    failed = wait_for(xenapi, xenapi.Async.VM.start(template, False, False))
    assert failed["status"] == "failure"
    assert failed["error_info"] == ["VM_IS_TEMPLATE", template]
    xenapi.task.destroy(task)
    assert failure(xenapi.task.get_status, task)[0] == "HANDLE_INVALID"


def test_state_survives_a_restart(tmp_path):
    simulator = start_simulator(tmp_path / "xapi")
    session = login(simulator.url)
    vm = new_vm(session.xenapi, "survivor")
    session.xenapi.VM.start(vm, False, False)
    simulator.stop()
    simulator = start_simulator(tmp_path / "xapi")
    try:
        session = login(simulator.url)
        assert session.xenapi.VM.get_by_name_label("survivor") == [vm]
        assert session.xenapi.VM.get_power_state(vm) == "Running"
        assert len(session.xenapi.VM.get_by_name_label("cirros-0.6.2")) == 1
    finally:
        simulator.stop()


def test_client_logs_in_again_after_a_restart(tmp_path):
    """Sessions do not survive a restart; the client's retry on SESSION_INVALID covers it."""
    simulator = start_simulator(tmp_path / "xapi")
    session = login(simulator.url)
    port = simulator.url.rsplit(":", 1)[1].strip("/")
    simulator.stop()
    simulator = start_simulator(tmp_path / "xapi", int(port))
    try:
        assert session.xenapi.pool.get_all()
    finally:
        simulator.stop()


def test_several_hosts_share_an_sr(tmp_path):
    simulator = Simulator(str(tmp_path / "xapi"), 0, hosts=("a", "b")).start()
    try:
        session = XenAPI.Session(simulator.url)
        session.login_with_password("root", "password", "2.21", "tests")
        xenapi = session.xenapi
        pool = xenapi.pool.get_all()[0]
        assert xenapi.host.get_name_label(xenapi.pool.get_master(pool)) == "a"
        assert xenapi.session.get_this_host(session.handle) == xenapi.pool.get_master(pool)
        shared = xenapi.pool.get_default_SR(pool)
        assert xenapi.SR.get_shared(shared)
        assert len(xenapi.SR.get_PBDs(shared)) == 2
        assert len(xenapi.SR.get_by_name_label("Local storage")) == 2
    finally:
        simulator.stop()


def test_copy_into_an_unknown_sr(xenapi):
    vm = new_vm(xenapi)
    assert failure(xenapi.VM.copy, vm, "copy", "OpaqueRef:nope") == [
        "HANDLE_INVALID", "SR", "OpaqueRef:nope"]
    assert xenapi.VM.get_by_name_label("copy") == []
