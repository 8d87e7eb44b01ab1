"""VM lifecycle: create, power operations, clone/copy/snapshot, migration within the pool,
destroy."""
import functools

from godwit.virt.xenapi.simulator import errors, hostpower, model, storage, tasks

# Power operations without options: the states each may start from, and the state it leaves.
# (``clean_shutdown`` has a handler of its own.)
TRANSITIONS = {
    "hard_shutdown": (("Running", "Paused", "Suspended"), "Halted"),
    "clean_reboot": (("Running",), "Running"),
    "hard_reboot": (("Running", "Paused"), "Running"),
    "suspend": (("Running",), "Suspended"),
    "pause": (("Running",), "Paused"),
    "unpause": (("Paused",), "Running"),
}

LIVE = ("Running", "Paused")

# Fields a clone, copy or snapshot gets afresh rather than from its source.
_NOT_COPIED = ("uuid", "name_label", "power_state", "resident_on", "domid", "VBDs",
               "snapshots", "is_a_snapshot", "snapshot_of")

# VM.create: the record fields used, with how each is stored; other keys are ignored.
_CREATE_FIELDS = {"name_label": str, "name_description": str, "is_a_template": bool,
                  "memory_static_max": int, "memory_static_min": int,
                  "memory_dynamic_max": int, "memory_dynamic_min": int, "VCPUs_max": int,
                  "VCPUs_at_startup": int, "other_config": dict}

# A VM whose other_config says so ignores clean shutdown requests, as a hung guest does.
IGNORE_SHUTDOWN_KEY = "godwit_sim_ignore_shutdown"
SHUTDOWN_TIMEOUT = 30  # seconds a clean shutdown waits for such a guest
# A VM whose other_config says so fails to migrate, as when the destination cannot run it.
FAIL_MIGRATION_KEY = "godwit_sim_fail_pool_migrate"


def _check_state(store, vm, allowed):
    actual = store.get("VM", vm)["power_state"]
    if actual not in allowed:
        raise errors.bad_power_state(vm, allowed[0], actual)


def _next_domid(store):
    domids = [int(store.get("VM", vm)["domid"]) for vm in store.refs("VM")]
    return str(max(domids, default=0) + 1)


def _set_power_state(call, vm, state, host=None):
    """A running or paused VM is resident on ``host`` (default: this host) and has a domain,
    with its VBDs attached; others have none. A guest's journal is flushed as it stops."""
    record = call.store.get("VM", vm)
    if record["power_state"] == "Running" and state != "Running":
        call.guests.flush(record["uuid"])
    if state not in LIVE:
        resident_on, domid = model.NULL_REF, "-1"
    else:
        resident_on = host or call.host()
        domid = record["domid"] if record["power_state"] in LIVE else _next_domid(call.store)
    call.store.update("VM", vm, power_state=state, resident_on=resident_on, domid=domid)
    for vbd in record["VBDs"]:
        call.store.update("VBD", vbd, currently_attached=state in LIVE)


def transition(allowed, state, call, vm):
    _check_state(call.store, vm, allowed)
    _set_power_state(call, vm, state)


def clean_shutdown(call, vm):
    """Halts the VM, unless its guest ignores the request: then waits, without the store
    lock, until the call's task is cancelled or ``SHUTDOWN_TIMEOUT`` passes."""
    with call.store.lock:
        _check_state(call.store, vm, ("Running",))
        if call.store.get("VM", vm)["other_config"].get(IGNORE_SHUTDOWN_KEY) != "true":
            _set_power_state(call, vm, "Halted")
            return
    if call.cancelled.wait(SHUTDOWN_TIMEOUT):
        raise tasks.cancelled(call.task)
    raise errors.XapiError("VM_SHUTDOWN_TIMEOUT", vm, SHUTDOWN_TIMEOUT)


clean_shutdown.without_store_lock = True


def _boot(allowed, call, vm, start_paused, host=None):
    if call.store.get("VM", vm)["is_a_template"]:
        raise errors.XapiError("VM_IS_TEMPLATE", vm)
    hostpower.check_live(call.store, host or call.host())
    _check_state(call.store, vm, allowed)
    _set_power_state(call, vm, "Paused" if start_paused else "Running", host)


def start(call, vm, start_paused, force):
    _boot(("Halted",), call, vm, start_paused)


def start_on(call, vm, host, start_paused, force):
    call.store.get("host", host)  # HANDLE_INVALID for a bad host
    _boot(("Halted",), call, vm, start_paused, host)


def pool_migrate(call, vm, host, options):
    """Moves a running VM to another host of the pool; its disks must be on shared SRs.
    A VM tagged ``FAIL_MIGRATION_KEY`` fails with VM_MIGRATE_FAILED (for tests)."""
    _check_state(call.store, vm, ("Running",))
    call.store.get("host", host)
    for vbd in call.store.get("VM", vm)["VBDs"]:
        vdi = call.store.get("VBD", vbd)["VDI"]
        if vdi == model.NULL_REF:
            continue
        sr = call.store.get("VDI", vdi)["SR"]
        if not call.store.get("SR", sr)["shared"]:
            raise errors.XapiError("VM_REQUIRES_SR", vm, sr)
    if call.store.get("VM", vm)["other_config"].get(FAIL_MIGRATION_KEY) == "true":
        raise errors.XapiError("VM_MIGRATE_FAILED", vm, call.store.get("VM", vm)["resident_on"],
                               host, "the simulated destination refused the VM")
    call.store.update("VM", vm, resident_on=host)


def resume(call, vm, start_paused, force):
    _boot(("Suspended",), call, vm, start_paused)


def resume_on(call, vm, host, start_paused, force):
    call.store.get("host", host)
    _boot(("Suspended",), call, vm, start_paused, host)


def set_memory_limits(call, vm, static_min, static_max, dynamic_min, dynamic_max):
    """All four limits at once, which must satisfy static_min <= dynamic_min <= dynamic_max
    <= static_max; the static ones change only while the VM is halted."""
    limits = [_create_field(name, int, value) for name, value in (
        ("static_min", static_min), ("dynamic_min", dynamic_min),
        ("dynamic_max", dynamic_max), ("static_max", static_max))]
    if [int(limit) for limit in limits] != sorted(int(limit) for limit in limits):
        raise errors.XapiError("MEMORY_CONSTRAINT_VIOLATION",
                               "static_min <= dynamic_min <= dynamic_max <= static_max")
    record = call.store.get("VM", vm)
    if record["power_state"] != "Halted" and (
            limits[0], limits[3]) != (record["memory_static_min"], record["memory_static_max"]):
        raise errors.bad_power_state(vm, "Halted", record["power_state"])
    call.store.update("VM", vm, memory_static_min=limits[0], memory_dynamic_min=limits[1],
                      memory_dynamic_max=limits[2], memory_static_max=limits[3])


def _create_field(name, kind, value):
    if kind is int:
        try:
            return str(int(value))
        except (TypeError, ValueError):
            raise errors.XapiError("FIELD_TYPE_ERROR", name) from None
    if not isinstance(value, kind):
        raise errors.XapiError("FIELD_TYPE_ERROR", name)
    return value


def create(call, record):
    """A halted VM from the fields of ``record`` the simulator knows."""
    fields = {name: _create_field(name, kind, record[name])
              for name, kind in _CREATE_FIELDS.items() if name in record}
    return call.store.create("VM", **fields)


def _derive(call, vm, new_name, disk, **extra):
    """A halted VM like ``vm`` named ``new_name``, whose disks are ``disk(vdi)``."""
    store = call.store
    record = store.get("VM", vm)
    fields = {key: value for key, value in record.items() if key not in _NOT_COPIED}
    new_vm = store.create("VM", **dict(fields, name_label=new_name, **extra))
    for vbd in record["VBDs"]:
        vbd_fields = {key: value for key, value in store.get("VBD", vbd).items() if key != "uuid"}
        vdi = vbd_fields["VDI"]
        if vdi != model.NULL_REF and vbd_fields["type"] == "Disk":
            vdi = disk(vdi)
        store.create("VBD", **dict(vbd_fields, VM=new_vm, VDI=vdi, currently_attached=False))
    return new_vm


def _duplicate(call, vm, new_name, sr):
    """A halted VM like ``vm`` named ``new_name``, with copies of its disks."""
    _check_state(call.store, vm, ("Halted",))
    return _derive(call, vm, new_name, lambda vdi: storage.copy_vdi(call.store, vdi, sr))


def snapshot(call, vm, new_name):
    """A snapshot of a running or halted VM: a template whose disks are the snapshots of
    the VM's disks."""
    _check_state(call.store, vm, ("Running", "Halted"))
    return _derive(call, vm, new_name, lambda vdi: storage.snapshot_vdi(call.store, vdi),
                   is_a_template=True, is_a_snapshot=True, snapshot_of=vm)


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
    table.update({"VM.create": create, "VM.start": start, "VM.start_on": start_on,
                  "VM.resume": resume, "VM.resume_on": resume_on,
                  "VM.set_memory_limits": set_memory_limits, "VM.clean_shutdown": clean_shutdown,
                  "VM.pool_migrate": pool_migrate, "VM.clone": clone, "VM.copy": copy,
                  "VM.snapshot": snapshot, "VM.destroy": destroy})
    return table
