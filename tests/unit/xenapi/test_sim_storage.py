"""Snapshots, VDI/VBD/VM.create and SR.scan, as the unmodified XenAPI client sees them."""
import os

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import model, storage
from tests.unit.xenapi.simulator_harness import (
    disk_of,
    failure,
    login,
    new_vm,
    start_simulator,
    task_result,
    wait_for,
)

MIB = 1024 * 1024
GIB = 1024 * MIB
BEFORE = b"written before the snapshot".ljust(4096, b".")
AFTER = b"written after the snapshot".ljust(4096, b"!")


def _path(simulator, vdi):
    return storage.vdi_path(simulator.store, vdi)


def _sr(xenapi):
    return xenapi.pool.get_default_SR(xenapi.pool.get_all()[0])


def test_vdi_snapshot_freezes_the_content_into_a_hidden_base(simulator, xenapi):
    vdi = disk_of(xenapi, new_vm(xenapi))
    before = xenapi.VDI.get_record(vdi)
    vhd.write(_path(simulator, vdi), MIB, BEFORE)
    snapshot = xenapi.VDI.snapshot(vdi, {})
    record, snap = xenapi.VDI.get_record(vdi), xenapi.VDI.get_record(snapshot)
    base_uuid = record["sm_config"]["vhd-parent"]
    base = xenapi.VDI.get_record(xenapi.VDI.get_by_uuid(base_uuid))
    assert (record["uuid"], record["location"]) == (before["uuid"], before["location"])
    assert snap["sm_config"] == {"vhd-parent": base_uuid}
    assert snap["is_a_snapshot"] and snap["snapshot_of"] == vdi and not snap["read_only"]
    assert record["snapshots"] == [snapshot] and not record["is_a_snapshot"]
    assert base["location"] == base_uuid and base["read_only"] and not base["managed"]
    assert base["sm_config"] == {} and base["virtual_size"] == record["virtual_size"]
    assert snap["virtual_size"] == record["virtual_size"] == str(GIB)
    base_path = os.path.join(storage.sr_path(simulator.store, record["SR"]), base_uuid + ".vhd")
    assert vhd.info(_path(simulator, vdi))["parent_path"] == base_path
    assert vhd.info(_path(simulator, snapshot))["parent_path"] == base_path


def test_writes_after_a_snapshot_reach_only_the_disk(simulator, xenapi):
    vdi = disk_of(xenapi, new_vm(xenapi))
    vhd.write(_path(simulator, vdi), 0, BEFORE)
    snapshot = xenapi.VDI.snapshot(vdi, {})
    vhd.write(_path(simulator, vdi), 0, AFTER)
    assert vhd.read(_path(simulator, vdi), 0, len(AFTER)) == AFTER
    assert vhd.read(_path(simulator, snapshot), 0, len(BEFORE)) == BEFORE
    assert vhd.check(_path(simulator, vdi)) == vhd.check(_path(simulator, snapshot)) == []


def test_a_second_snapshot_stacks_its_base_on_the_first(simulator, xenapi):
    vdi = disk_of(xenapi, new_vm(xenapi))
    vhd.write(_path(simulator, vdi), 0, BEFORE)
    first = xenapi.VDI.snapshot(vdi, {})
    vhd.write(_path(simulator, vdi), MIB, AFTER)
    second = wait_for(xenapi, xenapi.Async.VDI.snapshot(vdi, {}))
    second = task_result(second)
    first_base = xenapi.VDI.get_sm_config(first)["vhd-parent"]
    second_base = xenapi.VDI.get_sm_config(second)["vhd-parent"]
    assert xenapi.VDI.get_sm_config(vdi) == {"vhd-parent": second_base}
    base = xenapi.VDI.get_by_uuid(second_base)
    assert xenapi.VDI.get_sm_config(base) == {"vhd-parent": first_base}
    assert vhd.read(_path(simulator, second), 0, len(BEFORE)) == BEFORE
    assert vhd.read(_path(simulator, second), MIB, len(AFTER)) == AFTER
    assert vhd.read(_path(simulator, first), MIB, len(AFTER)) == bytes(len(AFTER))
    assert sorted(xenapi.VDI.get_snapshots(vdi)) == sorted([first, second])


def test_vm_snapshot_of_a_running_vm(simulator, xenapi):
    vm = new_vm(xenapi)
    xenapi.VM.start(vm, False, False)
    vdi = disk_of(xenapi, vm)
    vhd.write(_path(simulator, vdi), 0, BEFORE)
    snapshot = xenapi.VM.snapshot(vm, "snap")
    record = xenapi.VM.get_record(snapshot)
    assert record["is_a_template"] and record["is_a_snapshot"] and record["snapshot_of"] == vm
    assert record["power_state"] == "Halted" and record["name_label"] == "snap"
    assert record["memory_static_max"] == xenapi.VM.get_memory_static_max(vm)
    assert xenapi.VM.get_snapshots(vm) == [snapshot]
    assert xenapi.VM.get_power_state(vm) == "Running"
    snap_vdi = disk_of(xenapi, snapshot)
    assert xenapi.VDI.get_snapshot_of(snap_vdi) == vdi
    vhd.write(_path(simulator, vdi), 0, AFTER)
    assert vhd.read(_path(simulator, snap_vdi), 0, len(BEFORE)) == BEFORE
    assert failure(xenapi.VM.start, snapshot, False, False)[0] == "VM_IS_TEMPLATE"


def test_vm_snapshot_refuses_a_suspended_vm_and_clones_are_no_snapshots(xenapi):
    vm = new_vm(xenapi)
    halted = xenapi.VM.snapshot(vm, "of a halted vm")
    assert not xenapi.VM.get_is_a_snapshot(xenapi.VM.clone(halted, "clone"))
    xenapi.VM.start(vm, False, False)
    xenapi.VM.suspend(vm)
    assert failure(xenapi.VM.snapshot, vm, "snap")[0] == "VM_BAD_POWER_STATE"


def test_vdi_create(simulator, xenapi):
    sr = _sr(xenapi)
    vdi = xenapi.VDI.create({"SR": sr, "virtual_size": str(2 * GIB), "name_label": "data",
                             "name_description": "a disk", "type": "user", "sharable": False,
                             "read_only": False, "other_config": {"k": "v"},
                             "xenstore_data": {}, "sm_config": {"ignored": "yes"}})
    record = xenapi.VDI.get_record(vdi)
    assert (record["name_label"], record["name_description"]) == ("data", "a disk")
    assert record["virtual_size"] == str(2 * GIB) and record["other_config"] == {"k": "v"}
    assert record["sm_config"] == {} and vdi in xenapi.SR.get_VDIs(sr)
    info = vhd.info(_path(simulator, vdi))
    assert (info["type"], info["virtual_size"]) == ("dynamic", 2 * GIB)
    assert record["physical_utilisation"] == str(os.path.getsize(_path(simulator, vdi)))
    assert xenapi.VDI.get_virtual_size(xenapi.VDI.create({"SR": sr, "virtual_size": MIB})) == (
        str(MIB))


def test_vdi_create_errors(xenapi):
    assert failure(xenapi.VDI.create, {"SR": "OpaqueRef:nope", "virtual_size": "512"}) == [
        "HANDLE_INVALID", "SR", "OpaqueRef:nope"]
    assert failure(xenapi.VDI.create, {"SR": _sr(xenapi), "virtual_size": "many"})[0] == (
        "FIELD_TYPE_ERROR")
    assert failure(xenapi.VDI.create, {"SR": _sr(xenapi), "virtual_size": "100"})[0] == (
        "VDI_SIZE_INVALID")


def _full_vm_record(name):
    """What a driver sends: more than the simulator keeps, integers as strings or not."""
    return {"name_label": name, "name_description": "made by VM.create", "is_a_template": False,
            "memory_static_max": str(GIB), "memory_static_min": str(GIB),
            "memory_dynamic_max": GIB, "memory_dynamic_min": GIB, "VCPUs_max": "2",
            "VCPUs_at_startup": 2, "other_config": {"godwit": "yes"}, "PV_bootloader": "pygrub",
            "HVM_boot_policy": "", "platform": {"acpi": "true"},
            "actions_after_shutdown": "destroy", "actions_after_crash": "restart"}


def test_vm_create_keeps_the_known_fields(xenapi):
    vm = xenapi.VM.create(_full_vm_record("made"))
    record = xenapi.VM.get_record(vm)
    assert record["power_state"] == "Halted" and record["VBDs"] == []
    assert record["memory_dynamic_max"] == str(GIB) and record["VCPUs_at_startup"] == "2"
    assert record["other_config"] == {"godwit": "yes"} and not record["is_a_template"]
    assert "PV_bootloader" not in record
    bad = dict(_full_vm_record("bad"), VCPUs_max="two")
    assert failure(xenapi.VM.create, bad) == ["FIELD_TYPE_ERROR", "VCPUs_max"]


def test_vbd_create_and_destroy(xenapi):
    vm = xenapi.VM.create(_full_vm_record("with a disk"))
    vdi = xenapi.VDI.create({"SR": _sr(xenapi), "virtual_size": str(GIB)})
    vbd = xenapi.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "0", "bootable": True,
                             "mode": "RW", "type": "Disk", "empty": False, "other_config": {},
                             "qos_algorithm_type": "", "unpluggable": True})
    record = xenapi.VBD.get_record(vbd)
    assert (record["VM"], record["VDI"], record["bootable"]) == (vm, vdi, True)
    assert xenapi.VM.get_VBDs(vm) == [vbd] and xenapi.VDI.get_VBDs(vdi) == [vbd]
    cd = xenapi.VBD.create({"VM": vm, "VDI": model.NULL_REF, "userdevice": 3, "type": "CD",
                            "mode": "RO", "empty": True})
    assert xenapi.VBD.get_userdevice(cd) == "3"
    xenapi.VM.start(vm, False, False)
    assert xenapi.VBD.get_currently_attached(vbd)
    assert failure(xenapi.VBD.destroy, vbd) == ["VM_BAD_POWER_STATE", vm, "halted", "running"]
    xenapi.VM.hard_shutdown(vm)
    assert not xenapi.VBD.get_currently_attached(vbd)
    xenapi.VBD.destroy(vbd)
    assert xenapi.VM.get_VBDs(vm) == [cd]
    assert failure(xenapi.VBD.destroy, vbd)[0] == "HANDLE_INVALID"


def test_vbd_create_refuses_bad_references(xenapi):
    vm = xenapi.VM.create({"name_label": "x"})
    vdi = xenapi.VDI.create({"SR": _sr(xenapi), "virtual_size": str(MIB)})
    assert failure(xenapi.VBD.create, {"VM": "OpaqueRef:nope", "VDI": vdi}) == [
        "HANDLE_INVALID", "VM", "OpaqueRef:nope"]
    assert failure(xenapi.VBD.create, {"VM": vm, "VDI": "OpaqueRef:nope"}) == [
        "HANDLE_INVALID", "VDI", "OpaqueRef:nope"]


def test_sr_scan_introduces_refreshes_and_forgets(simulator, xenapi):
    sr = _sr(xenapi)
    directory = storage.sr_path(simulator.store, sr)
    parent, child = (os.path.join(directory, f"{name}.vhd") for name in ("par-ent", "ch-ild"))
    vhd.create_dynamic(parent, 4 * MIB)
    vhd.create_differencing(child, parent)
    with open(os.path.join(directory, "partial.vhd"), "wb") as junk:
        junk.write(b"not yet a VHD")
    unused = xenapi.VDI.create({"SR": sr, "virtual_size": str(MIB)})
    used = disk_of(xenapi, new_vm(xenapi))
    os.remove(_path(simulator, unused))
    os.remove(_path(simulator, used))
    grown = xenapi.VDI.create({"SR": sr, "virtual_size": str(4 * MIB)})
    vhd.write(_path(simulator, grown), 0, BEFORE)
    xenapi.SR.scan(sr)
    child_record = xenapi.VDI.get_record(xenapi.VDI.get_by_uuid("ch-ild"))
    parent_record = xenapi.VDI.get_record(xenapi.VDI.get_by_uuid("par-ent"))
    assert child_record["sm_config"] == {"vhd-parent": "par-ent"}
    assert parent_record["sm_config"] == {} and parent_record["managed"]
    assert child_record["location"] == "ch-ild" and child_record["virtual_size"] == str(4 * MIB)
    assert child_record["physical_utilisation"] == str(os.path.getsize(child))
    assert child_record["name_label"] == "" and child_record["SR"] == sr
    assert failure(xenapi.VDI.get_by_uuid, "partial")[0] == "UUID_INVALID"
    assert failure(xenapi.VDI.get_record, unused)[0] == "HANDLE_INVALID"
    assert xenapi.VDI.get_SR(used) == sr
    assert xenapi.VDI.get_physical_utilisation(grown) == str(
        os.path.getsize(_path(simulator, grown)))
    known = sorted(xenapi.SR.get_VDIs(sr))
    xenapi.SR.scan(sr)
    assert sorted(xenapi.SR.get_VDIs(sr)) == known


def test_copy_into_another_sr_flattens_a_snapshotted_disk(tmp_path):
    simulator = start_simulator(tmp_path / "xapi", hosts=("a", "b"))
    try:
        xenapi = login(simulator.url).xenapi
        vm = new_vm(xenapi)
        vhd.write(_path(simulator, disk_of(xenapi, vm)), 0, BEFORE)
        xenapi.VM.snapshot(vm, "snap")
        vhd.write(_path(simulator, disk_of(xenapi, vm)), 3 * MIB, AFTER)
        local = xenapi.SR.get_by_name_label("Local storage")[0]
        same_sr = disk_of(xenapi, xenapi.VM.copy(vm, "same", model.NULL_REF))
        other_sr = disk_of(xenapi, xenapi.VM.copy(vm, "other", local))
        assert "vhd-parent" in xenapi.VDI.get_sm_config(same_sr)
        assert xenapi.VDI.get_sm_config(other_sr) == {}
        path = _path(simulator, other_sr)
        assert vhd.info(path)["type"] == "dynamic" and vhd.info(path)["allocated_blocks"] == 2
        assert vhd.read(path, 0, len(BEFORE)) == BEFORE
        assert vhd.read(path, 3 * MIB, len(AFTER)) == AFTER
    finally:
        simulator.stop()
