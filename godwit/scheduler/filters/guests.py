"""The hypervisor capability's guest limit (doc/hypervisor-capabilities.md)."""


def max_guests_filter(host, spec):
    """Fewer guests than the limit: a host at its limit (or with a limit of 0) takes none.

    ``running_vms`` counts what the claims count, plus the boots this scheduler sent the
    host since it last read the database, so a burst stops at the limit too.
    """
    return host.running_vms < host.max_guests_limit


def max_guests_refusal(host, spec):
    if max_guests_filter(host, spec):
        return None
    return (f"it has reached its guest limit ({host.running_vms} guests, max_guests_limit "
            f"{host.max_guests_limit} for its hypervisor)")
