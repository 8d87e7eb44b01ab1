"""``/os-hypervisors`` (admin): godwit's hosts seen as Nova compute nodes.

A hypervisor is a row of the hosts table; its state and status come from the host's compute
service (down and disabled when it has none). Ids are integers before 2.53, UUIDs from 2.53.
"""
from godwit import exception, policy
from godwit.api import wsgi
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import topology
from godwit.api.openstack.compute.views import hypervisors as views
from godwit.api.openstack.compute.views.servers import INSTANCE_NAME_TEMPLATE
from godwit.db import api as db

RULE = "os_compute_api:os-hypervisors:"


class HypervisorsController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    def index(self, req):
        policy.authorize(req.context, RULE + "list")
        return self._list(req, views.basic)

    def detail(self, req):
        policy.authorize(req.context, RULE + "list-detail")
        return self._list(req, views.detail)

    def show(self, req, id):
        policy.authorize(req.context, RULE + "show")
        host, service = self._find(req, id)
        body = views.detail(req, host, service)
        if _with_servers(req):
            self._add_servers(req, body, host)
        return {"hypervisor": body}

    def statistics(self, req):
        policy.authorize(req.context, RULE + "statistics")
        return {"hypervisor_statistics": views.statistics(req, _hypervisors())}

    def uptime(self, req, id):
        policy.authorize(req.context, RULE + "uptime")
        self._find(req, id)
        return wsgi.fault_response(501, "Virt driver does not implement host uptime function.")

    @mv.versioned(max_version="2.52")
    def search(self, req, pattern):
        policy.authorize(req.context, RULE + "search")
        return {"hypervisors": [views.basic(req, host, service)
                                for host, service in _matching(pattern)]}

    @mv.versioned(max_version="2.52")
    def servers(self, req, pattern):
        policy.authorize(req.context, RULE + "servers")
        hypervisors = []
        for host, service in _matching(pattern):
            body = views.basic(req, host, service)
            self._add_servers(req, body, host)
            hypervisors.append(body)
        return {"hypervisors": hypervisors}

    # --- helpers -------------------------------------------------------------------------------

    def _list(self, req, view):
        pattern = req.GET.get("hypervisor_hostname_pattern") \
            if mv.is_supported(req, "2.53") else None
        paging = mv.is_supported(req, "2.33")
        if pattern is not None and paging and ("limit" in req.GET or "marker" in req.GET):
            raise exception.Invalid("Paging over hypervisors with the "
                                    "hypervisor_hostname_pattern query parameter is not "
                                    "supported.")
        hypervisors = _matching(pattern) if pattern is not None else _hypervisors()
        limit, marker = common.limit_and_marker(req) if paging else (None, None)
        if paging:
            hypervisors = common.page(hypervisors, limit, marker,
                                      lambda item: views.hypervisor_id(req, item[0]))
        bodies = []
        for host, service in hypervisors:
            body = view(req, host, service)
            if _with_servers(req):
                self._add_servers(req, body, host)
            bodies.append(body)
        result = {"hypervisors": bodies}
        links = common.next_links(req, bodies, limit, lambda body: body["id"]) if paging else []
        if links:
            result["hypervisors_links"] = links
        return result

    def _find(self, req, hypervisor_id):
        if mv.is_supported(req, "2.53") and not common.is_uuid(hypervisor_id):
            raise exception.Invalid(f"Invalid uuid {hypervisor_id}")
        for host, service in _hypervisors():
            if str(views.hypervisor_id(req, host)) == hypervisor_id:
                return host, service
        raise exception.NotFound(f"Hypervisor with ID {hypervisor_id} could not be found.")

    def _add_servers(self, req, body, host):
        """Nova adds ``servers`` only when the hypervisor has some."""
        instances = self.compute_api.list(req.context, {"host": host.name}, all_projects=True)
        if instances:
            body["servers"] = [{"name": INSTANCE_NAME_TEMPLATE % instance.id,
                                "uuid": instance.uuid} for instance in instances]


def _hypervisors():
    """[(host, its compute service or None)] in host id order."""
    services = {s.host: s for s in db.service_list(binary=topology.COMPUTE_BINARY)}
    return [(host, services.get(host.name)) for host in db.host_list()]


def _matching(pattern):
    found = [item for item in _hypervisors() if pattern in item[0].name]
    if not found:
        raise exception.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return found


def _with_servers(req):
    return mv.is_supported(req, "2.53") and common.parse_bool(
        req.GET.get("with_servers", "false"), "with_servers")
