"""Nova's security group proxy API: ``/os-security-groups``, ``/os-security-group-rules``
and ``/servers/{id}/os-security-groups``.

Nova serves these only below microversion 2.36 (from then on they belong to Neutron);
godwit has no network service, so it serves them at every microversion (the clients pin
2.1 for them anyway). Groups are project-scoped: another project's group is a 404; an
admin sees every project's groups in lists with ``all_tenants``, and any group by id.
Each project has a ``default`` group, created on first use. Status codes are Nova's:
200 for create, show, update and lists, 202 for deletes.
"""
from godwit import exception, policy
from godwit.api import validation
from godwit.api.openstack import common
from godwit.api.openstack.compute.schemas import security_groups as schemas
from godwit.api.openstack.compute.servers import get_instance
from godwit.api.openstack.compute.views import security_groups as views
from godwit.api.wsgi import response
from godwit.compute import security_groups

RULE = "os_compute_api:os-security-groups:"


def _group_id(value):
    """Group ids are uuids; anything else names no group (404, as for another project's)."""
    if not common.is_uuid(str(value)):
        raise exception.NotFound(f"Security group {value} not found.")
    return str(value)


class UsesGroupAPI:
    """The compute API's security group part, looked up per request (the apps are built
    before RPC is set up)."""

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @property
    def group_api(self):
        return self.compute_api.security_groups


class SecurityGroupsController(UsesGroupAPI):

    def index(self, req):
        policy.authorize(req.context, RULE + "get")
        all_projects = common.parse_bool(req.GET.get("all_tenants", "false"), "all_tenants")
        rows = self.group_api.list(req.context, all_projects=all_projects)
        return {"security_groups": views.groups(rows)}

    def show(self, req, id):
        group = self.group_api.get(req.context, _group_id(id))
        policy.authorize(req.context, RULE + "show", {"project_id": group.project_id})
        return {"security_group": views.group(group)}

    @response(200)
    @validation.schema(schemas.CREATE)
    def create(self, req, body):
        policy.authorize(req.context, RULE + "create")
        spec = body["security_group"]
        group = self.group_api.create(req.context.project_id, spec["name"],
                                      spec.get("description"))
        return {"security_group": views.group(group)}

    @validation.schema(schemas.UPDATE)
    def update(self, req, id, body):
        group = self.group_api.get(req.context, _group_id(id))
        policy.authorize(req.context, RULE + "update", {"project_id": group.project_id})
        group = self.group_api.update(req.context, group.uuid, body["security_group"])
        return {"security_group": views.group(group)}

    @response(202)
    def delete(self, req, id):
        group = self.group_api.get(req.context, _group_id(id))
        policy.authorize(req.context, RULE + "delete", {"project_id": group.project_id})
        self.group_api.delete(req.context, group.uuid)


class SecurityGroupRulesController(UsesGroupAPI):

    @response(200)
    @validation.schema(schemas.CREATE_RULE)
    def create(self, req, body):
        spec = body["security_group_rule"]
        group = self.group_api.get(req.context, _group_id(spec["parent_group_id"]))
        policy.authorize(req.context, RULE + "rule:create", {"project_id": group.project_id})
        remote = self.group_api.remote_group(req.context, spec.get("group_id"), "group_id")
        values = security_groups.rule_values(
            spec.get("ip_protocol"), spec.get("from_port"), spec.get("to_port"),
            spec.get("cidr"), remote)
        rule = self.group_api.add_rule(req.context, group.uuid, values)
        return {"security_group_rule": views.rule_of(rule)}

    @response(202)
    def delete(self, req, id):
        _, group = self.group_api.get_rule(req.context, _rule_id(id))
        policy.authorize(req.context, RULE + "rule:delete", {"project_id": group.project_id})
        self.group_api.delete_rule(req.context, id)


def _rule_id(value):
    if not common.is_uuid(value):
        raise exception.NotFound(f"Security group rule {value} not found.")
    return value


class ServerSecurityGroupsController(UsesGroupAPI):
    """``GET /servers/{id}/os-security-groups``: the groups the server is in."""

    def index(self, req, server_id):
        instance = get_instance(self.compute_api, req, server_id)
        policy.authorize(req.context, RULE + "list", {"project_id": instance.project_id})
        rows = self.group_api.instance_groups([instance])[instance.id]
        return {"security_groups": views.groups(rows)}
