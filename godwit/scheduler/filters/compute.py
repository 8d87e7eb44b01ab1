"""Filters on the host's service and identity."""


def compute_filter(host, spec):
    """The compute service is up and enabled; the host accepts work."""
    return (host.service_up and not host.service_disabled
            and allocation_enabled(host) and host.maintenance_state == "ready")


def allocation_enabled(host):
    """The host, its cluster, its pod and its zone are all Enabled (a host in no cluster
    answers for itself only)."""
    return all(state == "Enabled" for state in (host.allocation_state, *host.placement_states))


def image_properties_filter(host, spec):
    """An image made for one hypervisor type runs only there."""
    wanted = spec.get("image_hypervisor_type")
    return not wanted or wanted == host.hypervisor_type
