"""``/admin/v1/security-groups``: every project's security groups and their rules (admins).

Groups are listed (``project_id`` filters), shown, created for a project and deleted by
uuid; ``/rules`` lists, adds and deletes a group's rules. The checks are the compute API's
(compute.security_groups), with Neutron's field names in the bodies and errors. A rule
added or deleted here reaches the hosts of the group's running instances the same way.
See doc/security-groups.md.
"""
from godwit import exception
from godwit.api import validation
from godwit.api.admin import security_group_schemas as schemas
from godwit.api.admin.access import admin_only
from godwit.api.openstack import common
from godwit.api.openstack.compute.security_groups import UsesGroupAPI
from godwit.api.wsgi import response
from godwit.compute import security_groups
from godwit.db import identity
from godwit.db import security_groups as db

RULE = "godwit_admin:security_groups:"
# Neutron's names are the column names: errors name the body's fields as sent.
_FIELDS = {name: name for name in security_groups.NOVA_FIELDS}


class SecurityGroupsController(UsesGroupAPI):

    @admin_only(RULE + "index")
    def index(self, req):
        project_id = req.GET.get("project_id") or None
        return {"security_groups": [view(row, rules)
                                    for row, rules in _with_rules(db.group_list(project_id))]}

    @admin_only(RULE + "show")
    def show(self, req, id):
        ((row, rules),) = _with_rules([self._group(req, id)])
        return {"security_group": view(row, rules)}

    @response(201)
    @admin_only(RULE + "create")
    @validation.schema(schemas.CREATE)
    def create(self, req, body):
        spec = body["security_group"]
        try:
            identity.project_get(spec["project_id"])
        except exception.ProjectNotFound:
            raise exception.ValidationError(
                field="project_id", reason=f"Project {spec['project_id']} does not exist.") \
                from None
        row = self.group_api.create(spec["project_id"], spec["name"], spec.get("description"))
        return {"security_group": view(row, [])}

    @response(204)
    @admin_only(RULE + "delete")
    def delete(self, req, id):
        self.group_api.delete(req.context, self._group(req, id).uuid)

    @admin_only(RULE + "rules")
    def rules(self, req, id):
        ((_, rules),) = _with_rules([self._group(req, id)])
        return {"rules": rules}

    @response(201)
    @admin_only(RULE + "rule_create")
    @validation.schema(schemas.CREATE_RULE)
    def create_rule(self, req, id, body):
        group = self._group(req, id)
        spec = body["rule"]
        remote = self.group_api.remote_group(req.context, spec.get("remote_group_id"),
                                             "remote_group_id")
        values = security_groups.rule_values(
            spec.get("protocol"), spec.get("port_range_min"), spec.get("port_range_max"),
            spec.get("remote_ip_prefix"), remote, fields=_FIELDS)
        rule = self.group_api.add_rule(req.context, group.uuid, values)
        return {"rule": rule_view(rule, group, remote)}

    @response(204)
    @admin_only(RULE + "rule_delete")
    def delete_rule(self, req, id, rule_id):
        group = self._group(req, id)
        found = None
        if common.is_uuid(rule_id):
            found, owner = self.group_api.get_rule(req.context, rule_id)
        if found is None or owner.id != group.id:
            raise exception.NotFound(f"Security group rule {rule_id} not found in security "
                                     f"group {group.uuid}.")
        self.group_api.delete_rule(req.context, rule_id)

    def _group(self, req, uuid):
        if not common.is_uuid(uuid):
            raise exception.NotFound(f"Security group {uuid} not found.")
        return self.group_api.get(req.context, uuid)


def _with_rules(rows):
    """[(group, [rule views])], reading every group's rules and remote groups at once."""
    by_group = db.rules_with_sources([row.id for row in rows])
    return [(row, [rule_view(rule, row, remote) for rule, remote in by_group[row.id]])
            for row in rows]


def view(row, rules):
    return {"id": row.uuid, "project_id": row.project_id, "name": row.name,
            "description": row.description, "rules": rules,
            "created_at": common.iso_z(row.created_at),
            "updated_at": common.iso_z(row.updated_at)}


def rule_view(rule, group, remote=None):
    return {"id": rule.uuid, "security_group_id": group.uuid, "direction": rule.direction,
            "ethertype": rule.ethertype, "protocol": rule.protocol,
            "port_range_min": rule.port_range_min, "port_range_max": rule.port_range_max,
            "remote_ip_prefix": rule.remote_ip_prefix,
            "remote_group_id": remote.uuid if remote else None}
