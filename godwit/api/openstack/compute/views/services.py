"""Service bodies in Nova's shape (``GET /os-services`` and the update responses)."""
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import topology
from godwit.conf import CONF
from godwit.db import api as db


def detail(req, service, zones):
    body = {
        "id": service.uuid if mv.is_supported(req, "2.53") else service.id,
        "binary": service.binary,
        "host": service.host,
        "zone": topology.zone_of_service(service, zones),
        "status": "disabled" if service.disabled else "enabled",
        "state": "up" if db.service_is_up(service, CONF.service_down_time) else "down",
        "updated_at": common.iso_micro(service.last_seen_up or service.updated_at),
        "disabled_reason": service.disabled_reason,
    }
    if mv.is_supported(req, "2.11"):
        body["forced_down"] = bool(service.forced_down)
    return body
