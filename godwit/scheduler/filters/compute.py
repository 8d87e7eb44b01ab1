"""Filters on the host's service and identity."""

# The levels whose allocation state a host answers to, in HostState's order.
_LEVELS = ("host", "cluster", "pod", "zone")


def compute_filter(host, spec):
    """The compute service is up and enabled; the host accepts work; its cluster is
    managed."""
    return (host.service_up and not host.service_disabled and host.cluster_managed
            and allocation_enabled(host) and takes_work(host, spec))


def compute_refusal(host, spec):
    if not host.service_up:
        return "its compute service is down (no recent heartbeat, or never started)"
    if host.service_disabled:
        return "its compute service is disabled"
    if not host.cluster_managed:
        return "its cluster is unmanaged (its hypervisors are being upgraded or serviced)"
    for level, state in zip(_LEVELS, (host.allocation_state, *host.placement_states)):
        if state != "Enabled":
            return f"the host is {state}" if level == "host" else f"its {level} is {state}"
    if not takes_work(host, spec):
        return f"it is in maintenance (state {host.maintenance_state})"
    return None


def takes_work(host, spec):
    """A ready host does; an unflushing one only what is moved to it by name (its flush
    bringing its instances back: ``force_hosts``)."""
    return host.maintenance_state == "ready" or (
        host.maintenance_state == "unflushing" and host.name in (spec.get("force_hosts") or ()))


def allocation_enabled(host):
    """The host, its cluster, its pod and its zone are all Enabled (a host in no cluster
    answers for itself only)."""
    return all(state == "Enabled" for state in (host.allocation_state, *host.placement_states))


def availability_zone_filter(host, spec):
    """A request for an availability zone lands only on hosts of that zone (a host in no
    zone is in ``[api] default_availability_zone``)."""
    wanted = spec.get("availability_zone")
    return not wanted or wanted == host.availability_zone


def availability_zone_refusal(host, spec):
    if availability_zone_filter(host, spec):
        return None
    return (f"it is in availability zone {host.availability_zone}, not in the requested "
            f"availability zone {spec['availability_zone']}")


def image_properties_filter(host, spec):
    """An image made for one hypervisor type runs only there."""
    wanted = spec.get("image_hypervisor_type")
    return not wanted or wanted == host.hypervisor_type


def image_properties_refusal(host, spec):
    if image_properties_filter(host, spec):
        return None
    return (f"the image is for {spec['image_hypervisor_type']} hosts and this host runs "
            f"{host.hypervisor_type}")
