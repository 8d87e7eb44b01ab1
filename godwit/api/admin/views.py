"""The admin API's migration body (flavors by their sizes, progress in percent, times in
ISO 8601 with ``Z``) and a server's hosts for migration."""
from godwit.api.admin import hierarchy_views
from godwit.api.openstack import common
from godwit.compute import states

_DONE = (states.VERIFY_MIGRATION, states.FINISHED)


def flavor(values):
    if not values:
        return None
    return {"id": values["flavorid"], "name": values["name"], "vcpus": values["vcpus"],
            "ram": values["memory_mb"], "disk": values["root_gb"]}


def progress(migration):
    """Percent of the disk bytes copied; with nothing to copy, 100 once the copy is over."""
    total = migration.bytes_total or 0
    if total:
        return min((migration.bytes_transferred or 0) * 100 // total, 100)
    return 100 if migration.status in _DONE else 0


def migration(row):
    return {
        "id": row.uuid,
        "server_id": row.instance_uuid,
        "type": row.migration_type,
        "status": row.status,
        "outcome": row.outcome,
        "source_host": row.source_host,
        "dest_host": row.dest_host,
        "next_step_host": row.next_step_host,
        "old_flavor": flavor(row.old_flavor),
        "new_flavor": flavor(row.new_flavor),
        "bytes_total": row.bytes_total or 0,
        "bytes_transferred": row.bytes_transferred or 0,
        "progress": progress(row),
        "error": row.error,
        "created_at": common.iso_z(row.created_at),
        "updated_at": common.iso_z(row.updated_at),
    }


def migration_hosts(total, page, suitable, start):
    """A page of the other hosts of a server's cluster, and which of them could take it."""
    return {"hosts": [hierarchy_views.host(placed) for placed in page], "count": total,
            "start": start, "suitable_host_ids": suitable}
