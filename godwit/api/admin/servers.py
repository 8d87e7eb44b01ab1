"""``/admin/v1/servers/{id}/...``: resize, cold-migrate, confirm-resize, revert-resize, and a
server's migrations (all of them, newest first).

Resize and cold-migrate may name the destination host. The moves answer 202 with no body
(confirm-resize 204): the work goes on in the background, and the server's migrations say
how far it got.
"""
from godwit.api import validation
from godwit.api.admin import schemas, views
from godwit.api.admin.access import admin_only
from godwit.api.openstack.compute.servers import get_instance
from godwit.api.wsgi import response

RULE = "godwit_admin:servers:"


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
