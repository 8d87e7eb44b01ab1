"""Admin-only flavor changes: create (200), delete (202) and, from 2.55, description update."""
import uuid

from godwit import policy
from godwit.api import validation
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute.schemas import flavors as schemas
from godwit.api.openstack.compute.views import flavors as views
from godwit.api.wsgi import response
from godwit.db import api as db


class FlavorManageController:

    @response(200)
    @validation.schema(schemas.CREATE_V255, "2.55")
    @validation.schema(schemas.CREATE, "2.1", "2.54")
    def create(self, req, body):
        policy.authorize(req.context, "os_compute_api:os-flavor-manage:create")
        spec = body["flavor"]
        flavorid = spec.get("id")
        flavor = db.flavor_create(dict(
            flavorid=str(uuid.uuid4()) if flavorid in (None, "auto") else flavorid,
            name=spec["name"], memory_mb=spec["ram"], vcpus=spec["vcpus"],
            root_gb=spec["disk"], ephemeral_gb=spec.get("OS-FLV-EXT-DATA:ephemeral", 0),
            swap=spec.get("swap", 0), rxtx_factor=spec.get("rxtx_factor", 1.0),
            is_public=common.parse_bool(spec.get("os-flavor-access:is_public", True),
                                        "os-flavor-access:is_public"),
            description=spec.get("description"), extra_specs={}))
        return {"flavor": views.detail(req, flavor)}

    @mv.versioned("2.55")
    @validation.schema(schemas.UPDATE_V255, "2.55")
    def update(self, req, id, body):
        policy.authorize(req.context, "os_compute_api:os-flavor-manage:update")
        flavor = db.flavor_update(id, {"description": body["flavor"]["description"]})
        return {"flavor": views.detail(req, flavor)}

    @response(202)
    def delete(self, req, id):
        policy.authorize(req.context, "os_compute_api:os-flavor-manage:delete")
        db.flavor_delete(id)

