"""Nova's shapes of a security group and its rules (``ip_range`` / ``group`` name the
rule's source: a CIDR, or another group)."""
from godwit.db import security_groups as db


def rule(row, group, remote=None):
    """``group``: the rule's own group; ``remote``: its source group, if it has one."""
    return {
        "id": row.uuid,
        "parent_group_id": group.uuid,
        "ip_protocol": row.protocol,
        "from_port": row.port_range_min,
        "to_port": row.port_range_max,
        "ip_range": {"cidr": row.remote_ip_prefix} if row.remote_ip_prefix else {},
        "group": {"name": remote.name, "tenant_id": remote.project_id} if remote else {},
    }


def groups(rows):
    """Every group with its rules, reading the rules of all of them at once."""
    by_group = db.rules_with_sources([row.id for row in rows])
    return [{"id": row.uuid, "name": row.name, "description": row.description or "",
             "tenant_id": row.project_id,
             "rules": [rule(found, row, remote) for found, remote in by_group[row.id]]}
            for row in rows]


def group(row):
    return groups([row])[0]


def rule_of(row):
    """A rule as its own response shows it (its groups read again)."""
    found = db.groups_by_id({row.group_id, row.remote_group_id} - {None})
    return rule(row, found[row.group_id], found.get(row.remote_group_id))
