"""``/admin/v1/servers/{id}/...``: resize, cold-migrate, confirm-resize, revert-resize,
live migration inside the cluster (migration-hosts, migrate), and a server's migrations
(all of them, newest first).

Resize and cold-migrate may name the destination host; migrate must. The moves answer 202
(confirm-resize 204): the work goes on in the background, and the server's migrations say
how far it got. migration-hosts pages with ``start`` (default 0) and ``limit`` (1 to 1000,
default 100).
"""
from godwit.api import validation
from godwit.api.admin import schemas, views
from godwit.api.admin.access import admin_only
from godwit.api.openstack.compute.servers import get_instance
from godwit.api.wsgi import response

RULE = "godwit_admin:servers:"
DEFAULT_LIMIT = 100


class ServersController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @response(202)
    @admin_only(RULE + "resize")
    @validation.schema(schemas.RESIZE)
    def resize(self, req, id, body):
        instance = get_instance(self.compute_api, req, id)
        self.compute_api.resize(req.context, instance.uuid, body["flavor"],
                                host=body.get("host"))

    @response(202)
    @admin_only(RULE + "cold_migrate")
    @validation.schema(schemas.COLD_MIGRATE, optional=True)
    def cold_migrate(self, req, id, body):
        instance = get_instance(self.compute_api, req, id)
        self.compute_api.migrate(req.context, instance.uuid, host=body.get("host"))

    @response(204)
    @admin_only(RULE + "confirm_resize")
    def confirm_resize(self, req, id):
        instance = get_instance(self.compute_api, req, id)
        self.compute_api.confirm_resize(req.context, instance.uuid)

    @response(202)
    @admin_only(RULE + "revert_resize")
    def revert_resize(self, req, id):
        instance = get_instance(self.compute_api, req, id)
        self.compute_api.revert_resize(req.context, instance.uuid)

    @admin_only(RULE + "migrations")
    def migrations(self, req, id):
        instance = get_instance(self.compute_api, req, id)
        rows = self.compute_api.list_migrations(req.context, {"instance_uuid": instance.uuid})
        return {"migrations": [views.migration(row) for row in rows]}

    @admin_only(RULE + "migration_hosts")
    def migration_hosts(self, req, id):
        query = _integer_query(req, schemas.MIGRATION_HOSTS_QUERY)
        instance = get_instance(self.compute_api, req, id)
        start, limit = query.get("start", 0), query.get("limit", DEFAULT_LIMIT)
        total, page, suitable = self.compute_api.migration_hosts(req.context, instance.uuid,
                                                                 start, limit)
        return views.migration_hosts(total, page, suitable, start)

    @response(202)
    @admin_only(RULE + "live_migrate")
    @validation.schema(schemas.LIVE_MIGRATE)
    def live_migrate(self, req, id, body):
        instance = get_instance(self.compute_api, req, id)
        migration = self.compute_api.live_migrate(req.context, instance.uuid, body["host"])
        return {"migration": views.migration(migration)}


def _integer_query(req, schema):
    """The query as validated values (digits become integers); a bad parameter is a 400
    that names it."""
    query = {}
    for name in req.GET:
        values = req.GET.getall(name)
        value = values if len(values) > 1 else values[0]
        query[name] = int(value) if isinstance(value, str) and value.isdigit() else value
    validation.validate(query, schema)
    return query
