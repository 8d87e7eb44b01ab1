"""VBDs: creating and destroying the links between VMs and their disks."""
from godwit.virt.xenapi.simulator import errors, model

# The fields of a VBD.create record the simulator uses; other keys are ignored.
_CREATE_FIELDS = ("userdevice", "bootable", "mode", "type", "empty", "other_config")


def create(call, record):
    vm = record.get("VM", model.NULL_REF)
    vdi = record.get("VDI", model.NULL_REF)
    call.store.get("VM", vm)  # HANDLE_INVALID for a bad VM
    if vdi != model.NULL_REF or not record.get("empty", False):
        call.store.get("VDI", vdi)
    fields = {key: record[key] for key in _CREATE_FIELDS if key in record}
    if "userdevice" in fields:
        fields["userdevice"] = str(fields["userdevice"])
    return call.store.create("VBD", VM=vm, VDI=vdi, **fields)


def destroy(call, vbd):
    """Removes the VBD unless it is plugged into a running domain."""
    record = call.store.get("VBD", vbd)
    if record["currently_attached"]:
        actual = call.store.get("VM", record["VM"])["power_state"]
        raise errors.bad_power_state(record["VM"], "Halted", actual)
    call.store.delete("VBD", vbd)


def methods():
    return {"VBD.create": create, "VBD.destroy": destroy}
