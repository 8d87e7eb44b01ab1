"""Security groups as the REST layers use them: checks, database changes, then casts.

A group belongs to a project; a caller who cannot see all projects never sees another
project's groups (404). A rule is checked the way Nova checks it (protocol, port range,
CIDR) before anything is written. A change to the rules a running instance is subject to
is cast to its host (``refresh_firewall``); the periodic reconciler re-applies them too,
so a lost cast only delays the change. What a host does with the rules: compute.firewall.
"""
import collections
import ipaddress

from godwit import exception
from godwit.db import security_groups as db

PROTOCOLS = ("tcp", "udp", "icmp")
# The name each rule field has in a request, for error messages (Nova's by default).
NOVA_FIELDS = {"protocol": "ip_protocol", "port_range_min": "from_port",
               "port_range_max": "to_port", "remote_ip_prefix": "cidr",
               "remote_group_id": "group_id"}


def rule_values(protocol=None, port_min=None, port_max=None, cidr=None, remote_group=None,
                fields=None):
    """The columns of an ingress rule, or a 400 naming the request's bad field.

    ``remote_group`` is the remote group row (already checked to be visible). Without a
    protocol the rule allows all traffic from its source and takes no ports; ICMP ports
    are type and code (-1 for any). Without a CIDR or group the source is ``0.0.0.0/0``.
    """
    names = dict(NOVA_FIELDS, **(fields or {}))
    protocol = _protocol(protocol, names["protocol"])
    port_min, port_max = _ports(protocol, port_min, port_max, names)
    if cidr is not None and remote_group is not None:
        raise exception.ValidationError(
            field=names["remote_ip_prefix"],
            reason=f"{names['remote_ip_prefix']} and {names['remote_group_id']} cannot both "
                   "be given.")
    if remote_group is None:
        cidr = _cidr("0.0.0.0/0" if cidr is None else cidr, names["remote_ip_prefix"])
    ethertype = "IPv6" if cidr and ":" in cidr else "IPv4"
    return {"direction": "ingress", "ethertype": ethertype, "protocol": protocol,
            "port_range_min": port_min, "port_range_max": port_max,
            "remote_ip_prefix": cidr,
            "remote_group_id": None if remote_group is None else remote_group.id}


def _protocol(protocol, field):
    if protocol is None or protocol == "":
        return None
    if str(protocol).lower() not in PROTOCOLS:
        raise exception.ValidationError(
            field=field, reason=f"Invalid IP protocol {protocol}: use one of "
                                f"{', '.join(PROTOCOLS)}.")
    return str(protocol).lower()


def _port(value, field):
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exception.ValidationError(field=field,
                                        reason=f"{value!r} is not an integer.") from None


def _ports(protocol, port_min, port_max, names):
    low = _port(port_min, names["port_range_min"])
    high = _port(port_max, names["port_range_max"])
    if protocol is None:
        if low is not None or high is not None:
            raise exception.ValidationError(field=names["port_range_min"],
                                            reason="Ports need an IP protocol.")
        return None, None
    for value, name in ((low, "port_range_min"), (high, "port_range_max")):
        if value is None:
            raise exception.ValidationError(field=names[name],
                                            reason=f"A {protocol} rule needs it.")
    bounds = (-1, 255) if protocol == "icmp" else (1, 65535)
    for value, name in ((low, "port_range_min"), (high, "port_range_max")):
        if not bounds[0] <= value <= bounds[1]:
            raise exception.ValidationError(
                field=names[name], reason=f"Invalid port range {low}:{high}. For {protocol} "
                                          f"it must be between {bounds[0]} and {bounds[1]}.")
    if protocol != "icmp" and low > high:
        raise exception.ValidationError(
            field=names["port_range_min"],
            reason=f"Invalid port range {low}:{high}. Former value cannot be greater than "
                   "the later.")
    return low, high


def _cidr(cidr, field):
    try:
        return str(ipaddress.ip_network(str(cidr), strict=False))
    except ValueError:
        raise exception.ValidationError(field=field, reason=f"Invalid cidr {cidr}.") from None


class SecurityGroupAPI:

    def __init__(self, compute_rpcapi):
        self.compute_rpcapi = compute_rpcapi

    @staticmethod
    def scope(context, all_projects=True):
        """The project a caller is limited to, or None for an admin (who sees all)."""
        return None if all_projects and context.can_see_all_projects() else context.project_id

    def list(self, context, all_projects=False):
        """The caller's groups (its ``default`` first created); every group for an admin
        asking for all projects."""
        if not all_projects or not context.can_see_all_projects():
            db.group_ensure_default(context.project_id)
        return db.group_list(project_id=self.scope(context, all_projects))

    def get(self, context, uuid):
        return db.group_get(uuid, project_id=self.scope(context))

    def create(self, project_id, name, description):
        return db.group_create(project_id, name, description)

    def update(self, context, uuid, values):
        group = self.get(context, uuid)
        if group.name == db.DEFAULT and values.get("name", group.name) != group.name:
            raise exception.ValidationError(field="name",
                                            reason=f"The '{db.DEFAULT}' group cannot be renamed.")
        return db.group_update(uuid, values, project_id=self.scope(context))

    def delete(self, context, uuid):
        group = self.get(context, uuid)
        if group.name == db.DEFAULT:
            raise exception.Invalid(f"Unable to delete system group '{db.DEFAULT}'")
        db.group_delete(uuid, project_id=self.scope(context))

    def remote_group(self, context, uuid, field):
        """The group a rule names as its source; one the caller cannot see is a 400."""
        if uuid is None:
            return None
        try:
            return self.get(context, str(uuid))
        except exception.NotFound:
            raise exception.ValidationError(
                field=field, reason=f"Security group {uuid} not found.") from None

    def add_rule(self, context, group_uuid, values):
        rule = db.rule_create(group_uuid, values, project_id=self.scope(context))
        self._refresh_group(context, rule.group_id)
        return rule

    def get_rule(self, context, rule_uuid):
        """(rule, its group); a rule of a group the caller cannot see is a 404."""
        return db.rule_get(rule_uuid, project_id=self.scope(context))

    def delete_rule(self, context, rule_uuid):
        rule, _ = self.get_rule(context, rule_uuid)
        db.rule_delete(rule_uuid)
        self._refresh_group(context, rule.group_id)

    # --- instances ---------------------------------------------------------------------------

    def groups_for_create(self, context, names):
        """The groups a new server of the caller's project joins, by name; none named means
        the project's ``default``. An unknown name is a 400, before anything is created."""
        groups = []
        for name in names or [db.DEFAULT]:
            if name == db.DEFAULT:
                groups.append(db.group_ensure_default(context.project_id))
                continue
            try:
                groups.append(db.group_get_by_name(context.project_id, name))
            except exception.NotFound:
                raise exception.ValidationError(
                    field="security_groups",
                    reason=f"Security group {name} not found for project "
                           f"{context.project_id}.") from None
        return list({group.id: group for group in groups}.values())

    @staticmethod
    def join(instances, groups):
        for instance in instances:
            for group in groups:
                db.instance_add_group(instance.id, group.id)

    def _by_name(self, instance, name):
        try:
            return db.group_get_by_name(instance.project_id, name)
        except exception.NotFound:
            if name == db.DEFAULT:
                return db.group_ensure_default(instance.project_id)
            raise exception.NotFound(f"Security group {name} not found for project "
                                     f"{instance.project_id}.") from None

    def add_to_instance(self, context, instance, name):
        group = self._by_name(instance, name)
        if not db.instance_add_group(instance.id, group.id):
            raise exception.Invalid(f"Security group {name} is already associated with "
                                    f"the instance {instance.uuid}")
        self._refresh(context, [instance])

    def remove_from_instance(self, context, instance, name):
        group = self._by_name(instance, name)
        if not db.instance_remove_group(instance.id, group.id):
            raise exception.Invalid(f"Security group {name} not associated with the "
                                    f"instance {instance.uuid}")
        self._refresh(context, [instance])

    @staticmethod
    def instance_groups(instances):
        return db.instance_groups([instance.id for instance in instances])

    def _refresh_group(self, context, group_id):
        self._refresh(context, db.group_instances(group_id))

    def _refresh(self, context, instances):
        """Tells each host running one of ``instances`` to apply its rules again."""
        by_host = collections.defaultdict(list)
        for instance in instances:
            if instance.host:
                by_host[instance.host].append(instance.uuid)
        for host, uuids in sorted(by_host.items()):
            self.compute_rpcapi.refresh_firewall(context, host, uuids)
