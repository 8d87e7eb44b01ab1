"""``POST /admin/v1/servers``: create servers, optionally on a named host (admins only).

``host_id`` is a host's id as ``/admin/v1/hosts`` shows it. With it the scheduler considers
that host alone (every filter still applies) and, when it cannot take the servers, the
request fails with a 400 saying why, leaving nothing behind (doc/placement.md, "Deploy on a
named host"). Answers 202 with the new servers' ids; they build in the background.
"""
from godwit import exception
from godwit.api import validation
from godwit.api.admin import server_create_schemas as schemas
from godwit.api.admin.access import admin_only
from godwit.api.openstack.compute.servers import check_zone
from godwit.api.wsgi import response
from godwit.db import hierarchy, models


class ServerCreateController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @response(202)
    @admin_only("godwit_admin:servers:create")
    @validation.schema(schemas.CREATE)
    def create(self, req, body):
        return {"servers": create_servers(self.compute_api, req.context, body)}


def create_servers(compute_api, context, body, placement=None):
    """Creates the servers a validated request ``body`` describes, with ``placement``
    (checked placement fields, see godwit.compute.vm_meta); [{id, name}] of the new ones."""
    host = _host_name(body.get("host_id"))
    if body.get("availability_zone"):
        check_zone(context, body["availability_zone"])
    try:
        instances = compute_api.create(
            context, name=body["name"], flavorid=body["flavor"], image_ref=body["image"],
            metadata=body.get("metadata"), availability_zone=body.get("availability_zone"),
            count=body.get("count", 1), host=host, placement=placement)
    except exception.FlavorNotFound as exc:
        raise exception.ValidationError(field="flavor", reason=exc.message) from None
    except exception.ImageNotFound as exc:
        raise exception.ValidationError(field="image", reason=exc.message) from None
    return [{"id": instance.uuid, "name": instance.display_name} for instance in instances]


def _host_name(host_id):
    """The name of the host whose id is ``host_id`` (None: no host named)."""
    if host_id is None:
        return None
    try:
        return hierarchy.placed_get(models.Host, host_id).row.name
    except exception.PlacementNotFound as exc:
        raise exception.ValidationError(field="host_id", reason=exc.message) from None
