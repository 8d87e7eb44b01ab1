"""Migration bodies in Nova's shapes: ``/os-migrations`` and ``/servers/{id}/migrations``.

A godwit host is both Nova's compute host and its node, so ``*_compute`` and ``*_node`` are
the same name; Nova's ``dest_host`` is the destination's IP address, here the address the
host registered. Times are naive UTC with microseconds and no zone, as Nova prints them.
"""
import functools

from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.db import api as db


def _flavor_id(flavor):
    """The flavor's database id (Nova's ``*_instance_type_id``)."""
    return flavor.get("id") if flavor else None


class MigrationViews:
    """Builds the migrations of one response; host addresses are looked up once, lazily."""

    def __init__(self, req):
        self.req = req

    @functools.cached_property
    def _addresses(self):
        return {host.name: host.address for host in db.host_list()}

    def _places(self, migration):
        return {
            "source_compute": migration.source_host,
            "source_node": migration.source_host,
            "dest_compute": migration.dest_host,
            "dest_node": migration.dest_host,
            "dest_host": self._addresses.get(migration.dest_host),
        }

    def os_migration(self, migration):
        """An item of ``GET /os-migrations``. godwit has no live migrations, so no item has
        the ``links`` Nova gives in-progress live migrations from 2.23."""
        body = {
            "id": migration.id,
            **self._places(migration),
            "status": migration.status,
            "instance_uuid": migration.instance_uuid,
            "old_instance_type_id": _flavor_id(migration.old_flavor),
            "new_instance_type_id": _flavor_id(migration.new_flavor),
            "created_at": common.iso_micro(migration.created_at),
            "updated_at": common.iso_micro(migration.updated_at),
        }
        if mv.is_supported(self.req, "2.23"):
            body["migration_type"] = migration.migration_type
        if mv.is_supported(self.req, "2.59"):
            body["uuid"] = migration.uuid
        return body

    def server_migration(self, migration):
        """An item of ``GET /servers/{id}/migrations`` (2.23); memory is not copied apart
        from the disks, so its counters are 0."""
        total = migration.bytes_total or 0
        done = migration.bytes_transferred or 0
        body = {
            "id": migration.id,
            **self._places(migration),
            "server_uuid": migration.instance_uuid,
            "status": migration.status,
            "disk_total_bytes": total,
            "disk_processed_bytes": done,
            "disk_remaining_bytes": max(total - done, 0),
            "memory_total_bytes": 0,
            "memory_processed_bytes": 0,
            "memory_remaining_bytes": 0,
            "created_at": common.iso_micro(migration.created_at),
            "updated_at": common.iso_micro(migration.updated_at),
        }
        if mv.is_supported(self.req, "2.59"):
            body["uuid"] = migration.uuid
        return body
