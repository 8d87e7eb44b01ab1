"""Flavors and images a fresh cloud starts with, so the quick start has something to boot."""
from godwit.db import api as db

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
