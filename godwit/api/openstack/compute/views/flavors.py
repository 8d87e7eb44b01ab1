"""Flavor bodies in Nova's shape."""
from godwit import policy
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv


def basic(req, flavor):
    body = {"id": flavor.flavorid, "name": flavor.name,
            "links": common.resource_links(req, "flavors", flavor.flavorid)}
    if mv.is_supported(req, "2.55"):
        body["description"] = flavor.description
    return body


def detail(req, flavor):
    body = {
        **basic(req, flavor),
        "ram": flavor.memory_mb,
        "vcpus": flavor.vcpus,
        "disk": flavor.root_gb,
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
        "OS-FLV-DISABLED:disabled": bool(flavor.disabled),
        "os-flavor-access:is_public": bool(flavor.is_public),
        "rxtx_factor": flavor.rxtx_factor,
        # Nova shows no swap as "" until microversion 2.75.
        "swap": flavor.swap or "",
    }
    if mv.is_supported(req, "2.61") and \
            policy.check(req.context, "os_compute_api:os-flavor-extra-specs:index"):
        body["extra_specs"] = dict(flavor.extra_specs or {})
    return body
