"""The two-phase migration on XenServer (ARCHITECTURE §4), one function per protocol step.

The source snapshots the VM: its disk becomes read-only base VHD(s) and a fresh leaf VHD
the running VM writes to. The dom0 plugin ``migration`` (plugins/xenserver) rsyncs the
base chain to the destination's staging directory while the VM runs; after a shutdown it
rsyncs only the leaf. The destination moves the files into its SR with fresh UUIDs and
builds a VM on them. The source keeps its VM, halted, as ``<uuid>-orig`` until the
migration is confirmed (removed) or reverted (renamed back and started).

Every step can run again after a crash: rsync resumes (``--partial-dir``), the plugin's move
into the SR remembers the UUIDs it chose, and VMs are found by name.
"""
import contextlib
import json
import time

from godwit import exception
from godwit.virt.xenapi import vmops

PLUGIN = "migration"


def _plugin(xen, fn, **args):
    return json.loads(xen.call("host.call_plugin", xen.host_ref, PLUGIN, fn, args))


def _source(xen, uuid):
    """The VM a migration copies from: still running, or already set aside."""
    return vmops.find_vm(xen, uuid, migrated_in=False) or \
        vmops.required(xen, uuid + vmops.ORIGINAL)


def _chain(xen, vdi):
    """VHD uuids from the root of ``vdi``'s chain down to ``vdi`` itself."""
    chain = [xen.call("VDI.get_uuid", vdi)]
    parent = xen.call("VDI.get_sm_config", vdi).get("vhd-parent")
    while parent:
        chain.insert(0, parent)
        parent = xen.call("VDI.get_sm_config",
                          xen.call("VDI.get_by_uuid", parent)).get("vhd-parent")
    return chain


def snapshot(xen, instance):
    """Freezes the base. Clears the source VM's mark of an earlier migration's destination,
    so that from now on only a VM this migration builds carries it."""
    vm = vmops.find_vm(xen, instance.uuid) or \
        vmops.required(xen, instance.uuid + vmops.ORIGINAL)
    xen.call("VM.remove_from_other_config", vm, vmops.MIGRATED_IN_KEY)
    name = instance.uuid + vmops.SNAPSHOT
    if not xen.call("VM.get_by_name_label", name):
        snap = xen.call("VM.snapshot", vm, name)
        vmops.tag(xen, snap, instance.uuid)


def _transfer(xen, instance, dest, vdi_uuids, phase, progress, check):
    vdi = vmops.root_vdi(xen, _source(xen, instance.uuid))
    transfer_id = f"{instance.uuid}-{phase}"
    args = {"sr_uuid": xen.call("SR.get_uuid", xen.call("VDI.get_SR", vdi)),
            "vdi_uuids": json.dumps(vdi_uuids), "dest_host": dest.address or "",
            "staging_root": xen.config.staging_dir, "name": instance.uuid,
            "transport": xen.config.rsync_transport, "transfer_id": transfer_id,
            "ssh_user": xen.config.rsync_ssh_user, "check": "true" if check else "false"}

    reported = time.monotonic()

    def report():
        """Every ``task_poll_interval`` at most, the first after one: the task is polled
        sooner at first, but each report runs a plugin on dom0, which a copy of the leaf
        made while the VM is down would wait for."""
        nonlocal reported
        if time.monotonic() - reported < xen.config.task_poll_interval:
            return
        reported = time.monotonic()
        sent = _plugin(xen, "get_transfer_progress", transfer_id=transfer_id)
        progress(sent["bytes_sent"], sent["total_bytes"])

    try:
        result = json.loads(xen.session.wait(
            "host.call_plugin", xen.host_ref, PLUGIN, "transfer_vhd", args,
            poll=xen.config.task_poll_interval, while_waiting=report))
    except BaseException:
        with contextlib.suppress(exception.HypervisorError):  # keep the first error
            _plugin(xen, "cancel_transfer", transfer_id=transfer_id)
        raise
    progress(result["total_bytes"], result["total_bytes"])


def copy_base(xen, instance, dest, progress):
    """Sends the base chain while the VM runs, checked (``vhd-util check``) on the way: the
    destination checks nothing it receives."""
    leaf = vmops.root_vdi(xen, _source(xen, instance.uuid))
    _transfer(xen, instance, dest, _chain(xen, leaf)[:-1], "base", progress, check=True)


def power_off(xen, instance):
    vm = vmops.find_vm(xen, instance.uuid, migrated_in=False)
    if vm is None:
        return  # already set aside
    vmops.shut_down(xen, vm)
    xen.call("VM.set_name_label", vm, instance.uuid + vmops.ORIGINAL)


def copy_delta(xen, instance, dest, progress):
    """Sends the leaf, checked while it is copied (which adds nothing to the downtime)."""
    leaf = vmops.root_vdi(xen, vmops.required(xen, instance.uuid + vmops.ORIGINAL))
    _transfer(xen, instance, dest, [xen.call("VDI.get_uuid", leaf)], "delta", progress,
              check=True)


def finish(xen, instance, flavor, power_on):
    """Builds the VM on the received disks (the VM is created already tagged, then given
    its disk, so a re-run after a crash finds it and completes it), then powers it."""
    vm = vmops.find_vm(xen, instance.uuid, migrated_in=True)
    if vm is None:
        vm = xen.call("VM.create", _vm_record(xen, instance, flavor))
    if not xen.call("VM.get_VBDs", vm):
        _attach_received_disk(xen, instance, vm)
    if power_on:
        vmops.start(xen, vm)
    else:
        vmops.shut_down(xen, vm)
    remove_staging(xen, instance)


def _attach_received_disk(xen, instance, vm):
    sr_uuid = xen.call("SR.get_uuid", xen.sr_ref)
    uuids = _plugin(xen, "move_vhds_into_sr", staging_root=xen.config.staging_dir,
                    name=instance.uuid, sr_uuid=sr_uuid)
    if not uuids:
        raise exception.HypervisorError(method="move_vhds_into_sr",
                                        reason=f"no disks of instance {instance.uuid} "
                                               f"were received on {xen.name}")
    xen.call("VBD.create", {"VM": vm, "VDI": xen.call("VDI.get_by_uuid", uuids[-1]),
                            "userdevice": vmops.ROOT_DEVICE, "bootable": True, "mode": "RW",
                            "type": "Disk", "empty": False, "other_config": {},
                            "qos_algorithm_type": "", "qos_algorithm_params": {}})


def _vm_record(xen, instance, flavor):
    memory = str(flavor["memory_mb"] * vmops.MIB)
    vcpus = str(flavor["vcpus"])
    return {"name_label": instance.uuid, "name_description": "", "user_version": "1",
            "is_a_template": False, "affinity": "", "memory_static_max": memory,
            "memory_dynamic_max": memory, "memory_dynamic_min": memory,
            "memory_static_min": memory, "VCPUs_max": vcpus, "VCPUs_at_startup": vcpus,
            "VCPUs_params": {}, "actions_after_shutdown": "destroy",
            "actions_after_reboot": "restart", "actions_after_crash": "destroy",
            "PV_bootloader": "pygrub", "PV_kernel": "", "PV_ramdisk": "", "PV_args": "",
            "PV_bootloader_args": "", "PV_legacy_args": "", "HVM_boot_policy": "",
            "HVM_boot_params": {}, "platform": {}, "PCI_bus": "", "recommendations": "",
            "other_config": {vmops.INSTANCE_KEY: instance.uuid, vmops.HOST_KEY: xen.name,
                             vmops.MIGRATED_IN_KEY: "true"}}


def remove_staging(xen, instance):
    _plugin(xen, "remove_staging", staging_root=xen.config.staging_dir, name=instance.uuid)


def drop_destination(xen, instance):
    vmops.destroy_named(xen, instance.uuid, migrated_in=True)
    remove_staging(xen, instance)


def restore_source(xen, instance, power_on):
    original = vmops.find_vm(xen, instance.uuid + vmops.ORIGINAL)
    if original is not None:
        xen.call("VM.set_name_label", original, instance.uuid)
    vm = vmops.find_vm(xen, instance.uuid, migrated_in=False)
    if vm is None:
        raise exception.HypervisorError(method="VM.get_by_name_label",
                                        reason=f"instance {instance.uuid} has no original "
                                               f"VM on {xen.name}")
    if power_on:
        vmops.start(xen, vm)
    _drop_snapshot(xen, instance)


def _drop_snapshot(xen, instance):
    for snap in xen.call("VM.get_by_name_label", instance.uuid + vmops.SNAPSHOT):
        vmops.destroy_vm(xen, snap)


def cleanup(xen, instance, keep_vm):
    vmops.destroy_named(xen, instance.uuid + vmops.ORIGINAL)
    _drop_snapshot(xen, instance)
    if not keep_vm:
        vmops.destroy_named(xen, instance.uuid)
    remove_staging(xen, instance)
