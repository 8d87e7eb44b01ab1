"""A simulated host's power, as its BMC sets it: a host powered off is dead to the pool.

As in XAPI, the pool database still says its VMs run there (``Running``, resident on it)
until someone who knows the host is off calls ``VM.power_state_reset``; their guests stop
writing at once (the domains are gone), and nothing starts on a dead host (HOST_OFFLINE).
Powering it on again is a reboot: VMs still recorded as running there are halted.
"""
from godwit.virt.xenapi.simulator import errors, model

LIVE = ("Running", "Paused")


def _host(store, name):
    refs = store.find("host", name_label=name)
    if not refs:
        raise errors.XapiError("UUID_INVALID", "host", name)
    return refs[0]


def is_live(store, host):
    """Whether ``host`` (a reference) is powered on."""
    return store.get("host_metrics", store.get("host", host)["metrics"])["live"]


def check_live(store, host):
    if not is_live(store, host):
        raise errors.XapiError("HOST_OFFLINE", host)


def set_power(store, name, on):
    """Powers the host named ``name`` on or off (the caller holds the store's lock)."""
    host = _host(store, name)
    store.update("host_metrics", store.get("host", host)["metrics"], live=on)
    if not on:
        return
    for vm in store.find("VM", resident_on=host):
        record = store.get("VM", vm)
        if record["power_state"] in LIVE and not record["is_control_domain"]:
            store.update("VM", vm, power_state="Halted", resident_on=model.NULL_REF,
                         domid="-1")
            for vbd in record["VBDs"]:
                store.update("VBD", vbd, currently_attached=False)


def power_state_reset(call, vm):
    """Marks the VM halted in the database only, as XAPI does for a VM of a dead host. A
    live host's running VM is refused (the simulator's stand-in for XAPI's check that the
    domain is really gone)."""
    record = call.store.get("VM", vm)
    if record["is_control_domain"]:
        raise errors.XapiError("CANNOT_RESET_CONTROL_DOMAIN", vm)
    if record["power_state"] in LIVE and is_live(call.store, record["resident_on"]):
        raise errors.bad_power_state(vm, "halted", record["power_state"])
    call.store.update("VM", vm, power_state="Halted", resident_on=model.NULL_REF, domid="-1")
    for vbd in record["VBDs"]:
        call.store.update("VBD", vbd, currently_attached=False)


def methods():
    return {"VM.power_state_reset": power_state_reset}
