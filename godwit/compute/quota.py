"""Per-project quota checks made before anything is created."""
from godwit import exception
from godwit.conf import CONF
from godwit.db import api as db


def check_instances(project_id, flavor, count, metadata):
    if CONF.quota.metadata_items >= 0 and len(metadata or {}) > CONF.quota.metadata_items:
        raise exception.QuotaExceeded(resource="metadata_items", requested=len(metadata),
                                      used=0, allowed=CONF.quota.metadata_items)
    if all(getattr(CONF.quota, resource) < 0 for resource in ("instances", "cores", "ram")):
        return
    used_instances, used_cores, used_ram = db.instance_count(project_id)
    for resource, used, each in (("instances", used_instances, 1),
                                 ("cores", used_cores, flavor.vcpus),
                                 ("ram", used_ram, flavor.memory_mb)):
        allowed = getattr(CONF.quota, resource)
        if allowed >= 0 and used + each * count > allowed:
            raise exception.QuotaExceeded(resource=resource, requested=each * count,
                                          used=used, allowed=allowed)


def check_resize(project_id, old, new):
    """A resize may grow cores and RAM only within the project's quota.

    ``old`` and ``new`` are flavor dicts (``compute.flavors.as_dict``).
    """
    grows = [(resource, new[key] - old[key])
             for resource, key in (("cores", "vcpus"), ("ram", "memory_mb"))]
    grows = [(resource, delta) for resource, delta in grows
             if delta > 0 and getattr(CONF.quota, resource) >= 0]
    if not grows:
        return
    _, used_cores, used_ram = db.instance_count(project_id)
    used = {"cores": used_cores, "ram": used_ram}
    for resource, delta in grows:
        allowed = getattr(CONF.quota, resource)
        if used[resource] + delta > allowed:
            raise exception.QuotaExceeded(resource=resource, requested=delta,
                                          used=used[resource], allowed=allowed)


def limits(project_id):
    """Absolute limits and usage in the shape of Nova's ``GET /limits``."""
    used_instances, used_cores, used_ram = db.instance_count(project_id)
    return {
        "maxTotalInstances": CONF.quota.instances, "totalInstancesUsed": used_instances,
        "maxTotalCores": CONF.quota.cores, "totalCoresUsed": used_cores,
        "maxTotalRAMSize": CONF.quota.ram, "totalRAMUsed": used_ram,
        "maxServerMeta": CONF.quota.metadata_items,
        "maxImageMeta": 128, "maxPersonality": 5, "maxPersonalitySize": 10240,
        "maxTotalKeypairs": 100, "maxServerGroups": 10, "maxServerGroupMembers": 10,
        "totalServerGroupsUsed": 0,
    }
