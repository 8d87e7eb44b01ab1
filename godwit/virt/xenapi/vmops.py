"""Finding, building, powering and removing an instance's VMs on one XenServer host.

An instance's VM is named after the instance's uuid and tagged in ``other_config`` with
the instance (``godwit_instance``) and the godwit host owning it (``godwit_host``): in a
pool every host sees every VM, and a halted VM is resident nowhere. A migration adds
``<uuid>-orig`` (the source's original, halted until confirm or revert) and
``<uuid>-snapshot`` (the snapshot that froze the base disk).
"""
import contextlib

from oslo_log import log as logging

from godwit import exception
from godwit.compute import states
from godwit.conf import CONF

LOG = logging.getLogger(__name__)

INSTANCE_KEY = "godwit_instance"
HOST_KEY = "godwit_host"
MIGRATED_IN_KEY = "godwit_migrated_in"
IMAGE_KEY = "godwit_image"
ORIGINAL = "-orig"
SNAPSHOT = "-snapshot"
ROOT_DEVICE = "0"
NULL_REF = "OpaqueRef:NULL"
MIB = 1024 * 1024

POWER_STATES = {"Running": states.RUNNING, "Halted": states.SHUTDOWN,
                "Paused": states.PAUSED, "Suspended": states.SUSPENDED,
                "Crashed": states.CRASHED}


class XenHost:
    """What every operation needs: the XAPI session, this worker's host and its SR."""

    def __init__(self, session, name, host_ref, sr_ref, config):
        self.session = session
        self.name = name
        self.host_ref = host_ref
        self.sr_ref = sr_ref
        self.config = config

    def call(self, method, *args):
        return self.session.call(method, *args)


def owned_vms(xen):
    """{ref: record} of the VMs (templates and snapshots included) godwit placed here."""
    records = xen.call("VM.get_all_records")
    return {ref: record for ref, record in records.items()
            if record["other_config"].get(HOST_KEY) == xen.name
            and INSTANCE_KEY in record["other_config"]}


def find_vm(xen, name, migrated_in=None):
    """This host's VM named ``name`` (not a template), or None.

    ``migrated_in`` True/False also requires the VM to have been / not been built by a
    migration's destination (so a destination never mistakes the source's VM for its own
    when both are on one host).
    """
    for ref in xen.call("VM.get_by_name_label", name):
        record = xen.call("VM.get_record", ref)
        other_config = record["other_config"]
        if record["is_a_template"] or other_config.get(HOST_KEY, xen.name) != xen.name:
            continue
        if migrated_in is not None and (MIGRATED_IN_KEY in other_config) != migrated_in:
            continue
        return ref
    return None


def instance_vm(xen, instance_uuid, suffix=""):
    """The instance's own VM (not an original or snapshot), whichever host of the pool it
    is tagged for, or None: a live migration moves it between the pool's hosts. With
    ``suffix`` (``ORIGINAL``), the VM of the instance named so instead."""
    for ref in xen.call("VM.get_by_name_label", instance_uuid + suffix):
        record = xen.call("VM.get_record", ref)
        if not record["is_a_template"] and \
                record["other_config"].get(INSTANCE_KEY) == instance_uuid:
            return ref
    return None


def root_vdi(xen, vm):
    for vbd in xen.call("VM.get_VBDs", vm):
        record = xen.call("VBD.get_record", vbd)
        if record["userdevice"] == ROOT_DEVICE and record["type"] == "Disk":
            return record["VDI"]
    raise exception.HypervisorError(method="VM.get_VBDs", reason=f"VM {vm} has no root disk")


def require_shared_disks(xen, vm, instance_uuid, host):
    """Raises HypervisorError if a disk of ``vm`` is on an SR that only ``host`` sees."""
    for vbd in xen.call("VM.get_VBDs", vm):
        vdi = xen.call("VBD.get_VDI", vbd)
        if vdi == NULL_REF:
            continue
        sr = xen.call("VDI.get_SR", vdi)
        if not xen.call("SR.get_shared", sr):
            raise exception.HypervisorError(
                method="SR.get_shared",
                reason=f"a disk of instance {instance_uuid} is on SR "
                       f"{xen.call('SR.get_name_label', sr)!r}, local to host {host}")


def tag(xen, vm, instance_uuid, **extra):
    """Marks ``vm`` as the instance's, on this host (idempotent)."""
    other_config = xen.call("VM.get_other_config", vm)
    other_config.pop(IMAGE_KEY, None)
    other_config.update({INSTANCE_KEY: instance_uuid, HOST_KEY: xen.name}, **extra)
    xen.call("VM.set_other_config", vm, other_config)


def set_sizes(xen, vm, vcpus, memory_mb):
    memory = str(memory_mb * MIB)
    xen.call("VM.set_memory_limits", vm, memory, memory, memory, memory)
    current = int(xen.call("VM.get_VCPUs_max", vm))
    order = ("VCPUs_max", "VCPUs_at_startup") if vcpus > current else \
        ("VCPUs_at_startup", "VCPUs_max")
    for field in order:
        xen.call(f"VM.set_{field}", vm, str(vcpus))


def _template(xen, image):
    for ref, record in xen.call("VM.get_all_records").items():
        if record["is_a_template"] and record["other_config"].get(IMAGE_KEY) == image.uuid:
            return ref
    raise exception.HypervisorError(method="VM.clone",
                                    reason=f"no template for image {image.uuid} on "
                                           f"{xen.name}")


def spawn(xen, instance, image):
    vm = find_vm(xen, instance.uuid)
    if vm is None:
        vm = xen.call("VM.clone", _template(xen, image), instance.uuid)
        xen.call("VM.set_is_a_template", vm, False)
    tag(xen, vm, instance.uuid)
    set_sizes(xen, vm, instance.vcpus, instance.memory_mb)
    start(xen, vm)


def start(xen, vm):
    """Starts ``vm`` on this host if it is halted; resumes it if suspended."""
    power_state = xen.call("VM.get_power_state", vm)
    if power_state == "Halted":
        xen.call("VM.start_on", vm, xen.host_ref, False, False)
    elif power_state == "Suspended":
        xen.call("VM.resume_on", vm, xen.host_ref, False, False)
    elif power_state == "Paused":
        xen.call("VM.unpause", vm)


def shut_down(xen, vm):
    """Clean shutdown, then a hard one if the guest does not halt within
    ``[compute] shutdown_timeout`` (for a migration or a delete: a stop that a start may
    abandon is godwit.virt.driver's ``shut_down``)."""
    power_state = xen.call("VM.get_power_state", vm)
    if power_state == "Halted":
        return
    if power_state == "Running":
        try:
            xen.session.wait("VM.clean_shutdown", vm, timeout=CONF.compute.shutdown_timeout,
                             poll=xen.config.task_poll_interval)
            return
        except (TimeoutError, exception.XenAPIError) as err:
            LOG.warning("Clean shutdown of VM %s failed (%s); halting it", vm, err)
    hard_shutdown(xen, vm)


def hard_shutdown(xen, vm):
    """Halts ``vm`` now; a clean shutdown finishing meanwhile is no failure."""
    with contextlib.suppress(exception.XenAPIError):
        xen.call("VM.hard_shutdown", vm)
    if xen.call("VM.get_power_state", vm) != "Halted":
        xen.call("VM.hard_shutdown", vm)


def start_clean_shutdown(xen, vm):
    """Starts the guest's clean shutdown as an XAPI task and returns the task (None: the VM
    is not running, so it was halted or left halted)."""
    if xen.call("VM.get_power_state", vm) != "Running":
        hard_shutdown(xen, vm)
        return None
    return xen.call("Async.VM.clean_shutdown", vm)


def end_task(xen, task):
    """Cancels ``task`` if it still runs and forgets it; XAPI forgets one it cannot reach."""
    for method in ("task.cancel", "task.destroy"):
        with contextlib.suppress(exception.HypervisorError):
            xen.call(method, task)


def destroy_vm(xen, vm):
    """Halts ``vm`` and removes it with the disks it owns."""
    shut_down(xen, vm)
    vdis = [xen.call("VBD.get_VDI", vbd) for vbd in xen.call("VM.get_VBDs", vm)]
    xen.call("VM.destroy", vm)
    for vdi in vdis:
        with contextlib.suppress(exception.XenAPIError):  # shared or already gone
            xen.call("VDI.destroy", vdi)


def destroy_named(xen, name, **match):
    vm = find_vm(xen, name, **match)
    if vm is not None:
        destroy_vm(xen, vm)


def power_state(xen, name):
    vm = find_vm(xen, name)
    if vm is None:
        return states.NOSTATE
    return POWER_STATES.get(xen.call("VM.get_power_state", vm), states.NOSTATE)


def required(xen, name):
    vm = find_vm(xen, name)
    if vm is None:
        raise exception.HypervisorError(method="VM.get_by_name_label",
                                        reason=f"instance {name} has no VM on {xen.name}")
    return vm
