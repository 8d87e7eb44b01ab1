"""Flavors as plain dicts: what an instance copies in and a migration records.

An instance keeps its own copy of its flavor's sizes (flavors may be deleted later); a
migration records the old and the new one, so either side can be restored.
"""


def from_flavor(flavor):
    return {"id": flavor.id, "flavorid": flavor.flavorid, "name": flavor.name,
            "vcpus": flavor.vcpus, "memory_mb": flavor.memory_mb, "root_gb": flavor.root_gb,
            "ephemeral_gb": flavor.ephemeral_gb, "swap": flavor.swap,
            "extra_specs": dict(flavor.extra_specs or {})}


def from_instance(instance, flavor_id=None):
    """The flavor an instance runs with; ``flavor_id`` is the flavor row's id if it exists."""
    return {"id": flavor_id, "flavorid": instance.flavorid, "name": instance.flavor_name,
            "vcpus": instance.vcpus, "memory_mb": instance.memory_mb,
            "root_gb": instance.root_gb, "ephemeral_gb": instance.ephemeral_gb,
            "swap": instance.swap, "extra_specs": dict(instance.flavor_extra_specs or {})}


def instance_values(flavor):
    """The instance columns that hold ``flavor``."""
    return {"flavorid": flavor["flavorid"], "flavor_name": flavor["name"],
            "flavor_extra_specs": dict(flavor["extra_specs"]), "vcpus": flavor["vcpus"],
            "memory_mb": flavor["memory_mb"], "root_gb": flavor["root_gb"],
            "ephemeral_gb": flavor["ephemeral_gb"], "swap": flavor["swap"]}


def needs(flavor):
    """What a flavor takes from a host: (vcpus, memory_mb, disk_gb)."""
    return flavor["vcpus"], flavor["memory_mb"], flavor["root_gb"] + flavor["ephemeral_gb"]
