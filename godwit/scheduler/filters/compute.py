"""Filters on the host's service and identity."""


def compute_filter(host, spec):
    """The compute service is up and enabled; the host accepts work."""
    return (host.service_up and not host.service_disabled
            and host.allocation_state == "Enabled" and host.maintenance_state == "ready")


def image_properties_filter(host, spec):
    """An image made for one hypervisor type runs only there."""
    wanted = spec.get("image_hypervisor_type")
    return not wanted or wanted == host.hypervisor_type
