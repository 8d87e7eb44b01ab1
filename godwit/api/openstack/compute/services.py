"""``/os-services`` (admin): list, and enable/disable/force-down compute services.

Before 2.53 updates are actions naming the service by host and binary
(``PUT /os-services/disable`` ...); from 2.53 they are ``PUT /os-services/{uuid}``.
Only compute services can be updated from 2.53, as in Nova.

godwit's addition (doc/ha.md): disabling a compute service with a ``disabled_reason`` that
starts with "flush" also flushes its host, and enabling a service disabled that way
unflushes it. The flush is requested first, so when it is refused (409: the host is fenced
or its worker down) the service is left as it was.
"""
from godwit import exception, policy
from godwit.api import validation
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import topology
from godwit.api.openstack.compute.schemas import services as schemas
from godwit.api.openstack.compute.views import services as views
from godwit.db import api as db
from godwit.db import hierarchy

RULE = "os_compute_api:os-services:"


FLUSH_REASON = "flush"


class ServicesController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    def index(self, req):
        policy.authorize(req.context, RULE + "list")
        services = db.service_list(host=req.GET.get("host") or None,
                                   binary=req.GET.get("binary") or None)
        zones = hierarchy.host_zones()
        return {"services": [views.detail(req, service, zones) for service in services]}

    # --- before 2.53: actions by host and binary -----------------------------------------------

    @mv.versioned(max_version="2.52")
    @validation.schema(schemas.ENABLE_DISABLE)
    def enable(self, req, body):
        self._set(req, body, {"disabled": False, "disabled_reason": None})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "enabled"}}

    @mv.versioned(max_version="2.52")
    @validation.schema(schemas.ENABLE_DISABLE)
    def disable(self, req, body):
        self._set(req, body, {"disabled": True, "disabled_reason": None})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "disabled"}}

    @mv.versioned(max_version="2.52")
    @validation.schema(schemas.DISABLE_LOG_REASON)
    def disable_log_reason(self, req, body):
        self._set(req, body, {"disabled": True, "disabled_reason": body["disabled_reason"]})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "disabled", "disabled_reason": body["disabled_reason"]}}

    @mv.versioned("2.11", "2.52")
    @validation.schema(schemas.FORCE_DOWN)
    def force_down(self, req, body):
        forced = common.parse_bool(body["forced_down"], "forced_down")
        self._set(req, body, {"forced_down": forced})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "forced_down": forced}}

    def _set(self, req, body, values):
        policy.authorize(req.context, RULE + "update")
        services = db.service_list(host=body["host"], binary=body["binary"])
        if not services:
            raise exception.NotFound(f"Service {body['binary']} on host {body['host']} "
                                     "could not be found.")
        self._flush_for(req, services[0], values)
        db.service_update(services[0].uuid, values)

    # --- from 2.53: PUT /os-services/{uuid} ----------------------------------------------------

    @mv.versioned("2.53")
    @validation.schema(schemas.UPDATE_V253)
    def update(self, req, id, body):
        policy.authorize(req.context, RULE + "update")
        if not common.is_uuid(id):
            raise exception.Invalid(f"Invalid uuid {id}")
        service = db.service_get(id)
        if service.binary != topology.COMPUTE_BINARY:
            raise exception.Invalid(f"Updating a {service.binary} service is not supported. "
                                    f"Only {topology.COMPUTE_BINARY} services can be updated.")
        changes = _changes(body)
        self._flush_for(req, service, changes)
        service = db.service_update(id, changes)
        return {"service": views.detail(req, service, hierarchy.host_zones())}

    def _flush_for(self, req, service, changes):
        """Flushes the host of a compute service disabled for a flush; unflushes it when
        a service disabled that way is enabled."""
        if service.binary != topology.COMPUTE_BINARY or "disabled" not in changes:
            return
        if changes["disabled"] and _is_flush(changes.get("disabled_reason")):
            self.compute_api.flush_host(req.context, service.host)
        elif not changes["disabled"] and service.disabled and \
                _is_flush(service.disabled_reason):
            self.compute_api.unflush_host(req.context, service.host)


def _changes(body):
    """The columns a 2.53 update body sets; 400 for the combinations Nova refuses."""
    status = body.get("status")
    if status is None and "forced_down" not in body:
        raise exception.Invalid("No updates were requested. Fields 'status' or 'forced_down' "
                                "should be specified.")
    if "disabled_reason" in body and status != "disabled":
        raise exception.Invalid(f"Specifying 'disabled_reason' with status '{status}' is "
                                "invalid.")
    changes = {}
    if status is not None:
        changes["disabled"] = status == "disabled"
        changes["disabled_reason"] = body.get("disabled_reason")
    if "forced_down" in body:
        changes["forced_down"] = common.parse_bool(body["forced_down"], "forced_down")
    return changes


def _is_flush(reason):
    return bool(reason) and reason.strip().lower().startswith(FLUSH_REASON)
