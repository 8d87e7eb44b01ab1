"""``/admin/v1/vms``: VMs with their placement metadata (doc/ha.md, "Per-VM placement
metadata"), admins only.

    POST /vms             create VMs from a definition: what ``POST /servers`` takes plus
                          node_limit, node_selector, autostart, migration_method (202)
    GET  /vms/{id}        a VM with its placement metadata and previous_host
    POST /vms/{id}/meta   change the placement fields given, leaving the others alone
"""
from godwit.api import validation
from godwit.api.admin import server_create
from godwit.api.admin import vm_schemas as schemas
from godwit.api.admin.access import admin_only
from godwit.api.openstack.compute.servers import get_instance
from godwit.api.wsgi import response
from godwit.compute import states, vm_meta

RULE = "godwit_admin:vms:"


class VMsController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @response(202)
    @admin_only(RULE + "create")
    @validation.schema(schemas.CREATE)
    def create(self, req, body):
        placement = vm_meta.validate({field: body.pop(field) for field in vm_meta.FIELDS
                                      if field in body})
        return {"vms": server_create.create_servers(self.compute_api, req.context, body,
                                                    placement)}

    @admin_only(RULE + "show")
    def show(self, req, id):
        return {"vm": view(get_instance(self.compute_api, req, id))}

    @admin_only(RULE + "meta")
    @validation.schema(schemas.META)
    def meta(self, req, id, body):
        instance = get_instance(self.compute_api, req, id)
        return {"vm": view(self.compute_api.set_placement(req.context, instance.uuid, body))}


def view(instance):
    """A VM as the admin API shows it: where it runs, where it belongs, how it moves."""
    return {"id": instance.uuid, "name": instance.display_name,
            "project_id": instance.project_id,
            "status": states.status_of(instance.vm_state, instance.task_state),
            "host": instance.host, "previous_host": instance.previous_host,
            "storage_kind": instance.storage_kind, **vm_meta.show(instance)}
