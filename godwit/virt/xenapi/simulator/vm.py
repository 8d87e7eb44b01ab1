"""VM lifecycle: power operations, clone/copy of templates, destroy."""
import functools

from godwit.virt.xenapi.simulator import errors, model, storage

# Power operations without options: the states each may start from, and the state it leaves.
TRANSITIONS = {
    "clean_shutdown": (("Running",), "Halted"),
    "hard_shutdown": (("Running", "Paused", "Suspended"), "Halted"),
    "clean_reboot": (("Running",), "Running"),
    "hard_reboot": (("Running", "Paused"), "Running"),
    "suspend": (("Running",), "Suspended"),
    "pause": (("Running",), "Paused"),
    "unpause": (("Paused",), "Running"),
}

LIVE = ("Running", "Paused")

# Fields a clone or copy gets afresh rather than from its source.
_NOT_COPIED = ("uuid", "name_label", "power_state", "resident_on", "domid", "VBDs")


def _check_state(store, vm, allowed):
    actual = store.get("VM", vm)["power_state"]
    if actual not in allowed:
        raise errors.bad_power_state(vm, allowed[0], actual)


def _next_domid(store):
    domids = [int(store.get("VM", vm)["domid"]) for vm in store.refs("VM")]
    return str(max(domids, default=0) + 1)


def _set_power_state(call, vm, state):
    """A running or paused VM is resident on this host and has a domain; others have none."""
    if state not in LIVE:
        resident_on, domid = model.NULL_REF, "-1"
    else:
        record = call.store.get("VM", vm)
        resident_on = call.host()
        domid = record["domid"] if record["power_state"] in LIVE else _next_domid(call.store)
    call.store.update("VM", vm, power_state=state, resident_on=resident_on, domid=domid)


def transition(allowed, state, call, vm):
    _check_state(call.store, vm, allowed)
    _set_power_state(call, vm, state)


def _boot(allowed, call, vm, start_paused):
    if call.store.get("VM", vm)["is_a_template"]:
        raise errors.XapiError("VM_IS_TEMPLATE", vm)
    _check_state(call.store, vm, allowed)
    _set_power_state(call, vm, "Paused" if start_paused else "Running")


def start(call, vm, start_paused, force):
    _boot(("Halted",), call, vm, start_paused)


def resume(call, vm, start_paused, force):
    _boot(("Suspended",), call, vm, start_paused)


def _duplicate(call, vm, new_name, sr):
    """A halted VM like ``vm`` named ``new_name``, with copies of its disks."""
    store = call.store
    _check_state(store, vm, ("Halted",))
    record = store.get("VM", vm)
    fields = {key: value for key, value in record.items() if key not in _NOT_COPIED}
    new_vm = store.create("VM", name_label=new_name, **fields)
    for vbd in record["VBDs"]:
        vbd_fields = {key: value for key, value in store.get("VBD", vbd).items() if key != "uuid"}
        vdi = storage.copy_vdi(store, vbd_fields["VDI"], sr)
        store.create("VBD", **dict(vbd_fields, VM=new_vm, VDI=vdi, currently_attached=False))
    return new_vm


def clone(call, vm, new_name):
    return _duplicate(call, vm, new_name, model.NULL_REF)


def copy(call, vm, new_name, sr):
    """Like ``clone``, with the disks copied into ``sr`` (their own SRs for the null ref)."""
    if sr != model.NULL_REF:
        call.store.get("SR", sr)  # HANDLE_INVALID before anything is created
    return _duplicate(call, vm, new_name, sr)


def destroy(call, vm):
    """Removes the VM and its VBDs; its VDIs stay, as in XAPI."""
    _check_state(call.store, vm, ("Halted", "Suspended"))
    for vbd in call.store.get("VM", vm)["VBDs"]:
        call.store.delete("VBD", vbd)
    call.store.delete("VM", vm)


def methods():
    table = {f"VM.{name}": functools.partial(transition, allowed, state)
             for name, (allowed, state) in TRANSITIONS.items()}
    table.update({"VM.start": start, "VM.resume": resume, "VM.clone": clone, "VM.copy": copy,
                  "VM.destroy": destroy})
    return table
