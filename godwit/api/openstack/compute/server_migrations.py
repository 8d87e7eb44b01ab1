"""``/servers/{server_id}/migrations`` (admin): a server's migrations in progress (2.23) and
aborting one (``DELETE``, 2.24).

Nova lists only live migrations here; godwit lists every migration of the server that has
not ended (resize and cold migration too), since those are the ones it has. A migration of
another server, or one that has ended, is a 404 for ``show``. ``DELETE`` cancels a
migration that has not reached post-migrating yet (later: 409).
"""
from godwit import exception, policy
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute.servers import get_instance
from godwit.api.openstack.compute.views.migrations import MigrationViews
from godwit.api.wsgi import response
from godwit.compute import states

RULE = "os_compute_api:servers:migrations:"


class ServerMigrationsController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @mv.versioned("2.23")
    def index(self, req, server_id):
        instance = self._instance(req, server_id, "index")
        migrations = self.compute_api.list_migrations(
            req.context, {"instance_uuid": instance.uuid, "open": True})
        views = MigrationViews(req)
        return {"migrations": [views.server_migration(migration) for migration in migrations]}

    @mv.versioned("2.23")
    def show(self, req, server_id, migration_id):
        instance = self._instance(req, server_id, "show")
        migration = self._migration(req, instance, migration_id)
        if migration.status in states.TERMINAL:
            raise exception.MigrationNotFound(
                f"Migration {migration_id} for server {instance.uuid} is not in progress.")
        return {"migration": MigrationViews(req).server_migration(migration)}

    @mv.versioned("2.24")
    @response(202)
    def delete(self, req, server_id, migration_id):
        instance = self._instance(req, server_id, "delete")
        migration = self._migration(req, instance, migration_id)
        self.compute_api.cancel_migration(req.context, migration.uuid)

    def _instance(self, req, server_id, rule):
        instance = get_instance(self.compute_api, req, server_id)
        policy.authorize(req.context, RULE + rule, {"project_id": instance.project_id})
        return instance

    def _migration(self, req, instance, migration_id):
        """The migration if it is this server's; any other is "not found"."""
        migration = self.compute_api.get_migration(req.context, migration_id)
        if migration.instance_uuid != instance.uuid:
            raise exception.MigrationNotFound(
                f"Migration {migration_id} for server {instance.uuid} could not be found.")
        return migration
