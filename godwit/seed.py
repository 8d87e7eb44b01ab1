"""Flavors, images and (for the all-in-one) a placement hierarchy a fresh cloud starts
with, so the quick start has something to boot, and somewhere to boot it."""
from godwit.db import api as db
from godwit.db import hierarchy, models

DEFAULT_FLAVORS = [
    # flavorid, name, vcpus, memory_mb, root_gb
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
    ("5", "m1.xlarge", 8, 16384, 160),
]

DEFAULT_IMAGES = [
    # uuid, name, size in bytes, min_disk
    ("8e0d3c1a-6a43-4cb4-9f0a-2c2f1b5c0a01", "cirros-0.6.2", 21430272, 1),
    ("3b4f2e8d-1c5a-4d7e-8f90-6a1b2c3d4e02", "debian-12", 402653184, 2),
]

# The all-in-one's zone > pod: (model, name, field naming the parent); its clusters are in
# the pod: one of hosts with a XenServer each, and one XenServer pool (shared storage).
DEFAULT_HIERARCHY = [(models.Zone, "nova", None), (models.Pod, "pod-1", "zone_id")]
DEFAULT_CLUSTER = "cluster-1"
POOL_CLUSTER = "cluster-2"


def ensure_defaults():
    """Creates the default flavors and images if the cloud has none yet."""
    if not db.flavor_list(is_public=None):
        for flavorid, name, vcpus, memory_mb, root_gb in DEFAULT_FLAVORS:
            db.flavor_create(dict(flavorid=flavorid, name=name, vcpus=vcpus,
                                  memory_mb=memory_mb, root_gb=root_gb, extra_specs={}))
    if not db.image_list(all_projects=True):
        for uuid, name, size, min_disk in DEFAULT_IMAGES:
            db.image_create(dict(uuid=uuid, name=name, size=size, min_disk=min_disk,
                                 disk_format="vhd", container_format="ovf",
                                 visibility="public", status="active", properties={}))


def ensure_default_hierarchy(hypervisor_type, cluster=DEFAULT_CLUSTER):
    """Creates, Enabled, what is missing of zone nova > pod pod-1 > ``cluster`` (a cluster
    of ``hypervisor_type``); returns the cluster's uuid. What exists is left as it is: an
    operator who disabled it meant it."""
    parent = None
    for model, name, parent_field in [*DEFAULT_HIERARCHY, (models.Cluster, cluster, "pod_id")]:
        filters = {parent_field: parent} if parent_field else {}
        found = [placed.row for placed in hierarchy.placed_list(model, filters)
                 if placed.row.name == name]
        values = {"name": name, "allocation_state": hierarchy.ENABLED}
        if model is models.Cluster:
            values["hypervisor_type"] = hypervisor_type
        row = found[0] if found else hierarchy.create(model, values, parent).row
        parent = row.uuid
    return parent


def place_hosts(names, cluster, hypervisor_type):
    """Puts hosts that have not registered yet in ``cluster`` (a uuid), Enabled, so their
    workers join it rather than ``[compute] cluster``; a known host stays where it is."""
    cluster_id = hierarchy.cluster_id(cluster)
    for name in names:
        db.host_register(name, {"hypervisor_type": hypervisor_type},
                         new_host={"cluster_id": cluster_id,
                                   "allocation_state": hierarchy.ENABLED})
