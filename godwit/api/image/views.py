"""Image bodies in Glance v2's shape (flat: extra properties sit next to the core ones)."""
from godwit.api.openstack import common

SCHEMA = "/v2/schemas/image"


def image(row):
    body = {str(key): value for key, value in (row.properties or {}).items()}
    for key in ("os_type", "hypervisor_type"):
        if getattr(row, key):
            body[key] = getattr(row, key)
    body.update({
        "id": row.uuid,
        "name": row.name,
        "status": row.status,
        "visibility": row.visibility,
        "owner": row.owner,
        "disk_format": row.disk_format,
        "container_format": row.container_format,
        "size": row.size,
        "virtual_size": None,
        "min_disk": row.min_disk,
        "min_ram": row.min_ram,
        "checksum": row.checksum,
        "os_hash_algo": None,
        "os_hash_value": None,
        "os_hidden": False,
        "protected": False,
        "tags": [],
        "created_at": common.iso_z(row.created_at),
        "updated_at": common.iso_z(row.updated_at or row.created_at),
        "self": f"/v2/images/{row.uuid}",
        "schema": SCHEMA,
    })
    return body
