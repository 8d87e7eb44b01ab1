"""The admin API's bodies of zones, pods, clusters and hosts (``Placed`` rows of
``godwit.db.hierarchy``): ids are uuids, parents too; times in ISO 8601 with ``Z``."""
from godwit.api.openstack import common


def _common(placed, parent_fields):
    row = placed.row
    body = {"id": row.uuid, "name": row.name, "allocation_state": row.allocation_state}
    body.update({field: placed.parents[field] for field in parent_fields})
    body.update(created_at=common.iso_z(row.created_at), updated_at=common.iso_z(row.updated_at))
    return body


def zone(placed):
    return _common(placed, ())


def pod(placed):
    return _common(placed, ("zone_id",))


def cluster(placed):
    return dict(_common(placed, ("pod_id", "zone_id")),
                hypervisor_type=placed.row.hypervisor_type,
                managed_state=placed.row.managed_state)


def host(placed):
    """A host with its capacity and usage (as its compute worker last reported them)."""
    row = placed.row
    return dict(_common(placed, ("cluster_id", "pod_id", "zone_id")),
                hypervisor_type=row.hypervisor_type,
                hypervisor_version=row.hypervisor_version, address=row.address,
                maintenance_state=row.maintenance_state,
                vcpus=row.vcpus, memory_mb=row.memory_mb, disk_gb=row.disk_gb,
                vcpus_used=row.vcpus_used, memory_mb_used=row.memory_mb_used,
                disk_gb_used=row.disk_gb_used, running_vms=row.running_vms)
