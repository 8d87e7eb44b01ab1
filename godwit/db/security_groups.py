"""Queries for security groups, their rules and their member instances.

Groups and rules are named by uuid. A group's name is unique in its project; a rule that
repeats another of its group, or deleting a group that live instances still use, is a 409.
"""
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from godwit import exception
from godwit.db import models
from godwit.db.session import reader, writer

_Group = models.SecurityGroup
_Rule = models.SecurityGroupRule
_Member = models.SecurityGroupInstance
_Instance = models.Instance
DEFAULT = "default"
RULE_FIELDS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
               "remote_ip_prefix", "remote_group_id")


def _not_found(ref):
    return exception.NotFound(f"Security group {ref} not found.")


def _group(session, uuid, project_id=None):
    query = select(_Group).where(_Group.uuid == uuid)
    if project_id is not None:
        query = query.where(_Group.project_id == project_id)
    row = session.scalars(query).first()
    if row is None:
        raise _not_found(uuid)
    return row


def group_get(uuid, project_id=None):
    """The group; another project's (when ``project_id`` is given) is "not found"."""
    with reader() as session:
        return _group(session, uuid, project_id)


def group_get_by_name(project_id, name):
    with reader() as session:
        row = session.scalars(select(_Group).where(_Group.project_id == project_id,
                                                   _Group.name == name)).first()
    if row is None:
        raise _not_found(name)
    return row


def group_list(project_id=None):
    query = select(_Group).order_by(_Group.id)
    if project_id is not None:
        query = query.where(_Group.project_id == project_id)
    with reader() as session:
        return list(session.scalars(query))


def group_create(project_id, name, description):
    try:
        with writer() as session:
            if session.scalar(select(_Group.id).where(_Group.project_id == project_id,
                                                      _Group.name == name)) is not None:
                raise _exists(name)
            row = _Group(project_id=project_id, name=name, description=description)
            session.add(row)
            session.flush()
            return row
    except IntegrityError:
        raise _exists(name) from None


def _exists(name):
    return exception.DuplicateEntry(what="Security group", name=name)


def group_ensure_default(project_id):
    """The project's ``default`` group, created on first use (as in Nova)."""
    try:
        return group_get_by_name(project_id, DEFAULT)
    except exception.NotFound:
        pass
    try:
        return group_create(project_id, DEFAULT, "Default security group")
    except exception.DuplicateEntry:  # created by a concurrent request
        return group_get_by_name(project_id, DEFAULT)


def group_update(uuid, values, project_id=None):
    try:
        with writer() as session:
            row = _group(session, uuid, project_id)
            if "name" in values and values["name"] != row.name and session.scalar(
                    select(_Group.id).where(_Group.project_id == row.project_id,
                                            _Group.name == values["name"])) is not None:
                raise _exists(values["name"])
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return row
    except IntegrityError:
        raise _exists(values.get("name")) from None


def group_delete(uuid, project_id=None):
    """Deletes the group and its rules; a 409 while a live instance or a rule uses it."""
    with writer() as session:
        row = _group(session, uuid, project_id)
        users = _member_query(row.id).with_only_columns(_Instance.uuid)
        in_use = session.scalars(users).all()
        if in_use:
            raise exception.Conflict(f"Security group {uuid} is in use by instance(s) "
                                     f"{', '.join(in_use)}.")
        referenced = session.scalars(select(_Rule.uuid).where(
            _Rule.remote_group_id == row.id, _Rule.group_id != row.id)).all()
        if referenced:
            raise exception.Conflict(f"Security group {uuid} is the remote group of rule(s) "
                                     f"{', '.join(referenced)} of other groups.")
        session.execute(delete(_Member).where(_Member.group_id == row.id))
        session.execute(delete(_Rule).where(_Rule.group_id == row.id))
        session.delete(row)


# --- rules -------------------------------------------------------------------------------------

def rules_of_groups(group_ids):
    """{group id: [rules]} for the given group row ids."""
    rules = {group_id: [] for group_id in group_ids}
    if not group_ids:
        return rules
    with reader() as session:
        for rule in session.scalars(select(_Rule).where(_Rule.group_id.in_(group_ids))
                                    .order_by(_Rule.id)):
            rules[rule.group_id].append(rule)
    return rules


def rules_with_sources(group_ids):
    """{group id: [(rule, its remote group or None)]}, in three queries whatever the count."""
    by_group = rules_of_groups(group_ids)
    remotes = groups_by_id({rule.remote_group_id for rules in by_group.values()
                            for rule in rules if rule.remote_group_id})
    return {group_id: [(rule, remotes.get(rule.remote_group_id)) for rule in rules]
            for group_id, rules in by_group.items()}


def groups_by_id(ids):
    """{row id: group} (to name a rule's remote group)."""
    if not ids:
        return {}
    with reader() as session:
        return {row.id: row for row in session.scalars(select(_Group).where(_Group.id.in_(ids)))}


def rule_create(group_uuid, values, project_id=None):
    """Adds a rule (``values``: RULE_FIELDS) to the group; an identical rule is a 409."""
    with writer() as session:
        group = _group(session, group_uuid, project_id)
        same = select(_Rule.id).where(_Rule.group_id == group.id,
                                      *(getattr(_Rule, name) == values.get(name)
                                        if values.get(name) is not None
                                        else getattr(_Rule, name).is_(None)
                                        for name in RULE_FIELDS))
        if session.scalar(same) is not None:
            raise exception.Conflict(f"This rule already exists in group {group_uuid}")
        row = _Rule(group_id=group.id, **values)
        session.add(row)
        session.flush()
        return row


def rule_get(uuid, project_id=None):
    """The rule and its group; a rule of another project's group is "not found"."""
    with reader() as session:
        found = session.execute(select(_Rule, _Group).join(_Group, _Rule.group_id == _Group.id)
                                .where(_Rule.uuid == uuid)).first()
    if found is None or (project_id is not None and found[1].project_id != project_id):
        raise exception.NotFound(f"Security group rule {uuid} not found.")
    return found


def rule_delete(uuid):
    with writer() as session:
        session.execute(delete(_Rule).where(_Rule.uuid == uuid))


# --- members -----------------------------------------------------------------------------------

def _member_query(group_id):
    return (select(_Instance).join(_Member, _Member.instance_id == _Instance.id)
            .where(_Member.group_id == group_id, _Instance.deleted.is_(False)))


def group_instances(group_id):
    """The live instances in the group (row id)."""
    with reader() as session:
        return list(session.scalars(_member_query(group_id)))


def instance_groups(instance_ids):
    """{instance row id: [groups]}, each list in the order the groups were added."""
    groups = {instance_id: [] for instance_id in instance_ids}
    if not instance_ids:
        return groups
    with reader() as session:
        rows = session.execute(select(_Member.instance_id, _Group)
                               .join(_Group, _Member.group_id == _Group.id)
                               .where(_Member.instance_id.in_(instance_ids))
                               .order_by(_Member.id))
        for instance_id, group in rows:
            groups[instance_id].append(group)
    return groups


def instance_add_group(instance_id, group_id):
    """False if the instance is in the group already."""
    try:
        with writer() as session:
            if session.scalar(select(_Member.id).where(_Member.instance_id == instance_id,
                                                       _Member.group_id == group_id)):
                return False
            session.add(_Member(instance_id=instance_id, group_id=group_id))
    except IntegrityError:
        return False
    return True


def instance_remove_group(instance_id, group_id):
    """False if the instance was not in the group."""
    with writer() as session:
        return session.execute(delete(_Member).where(
            _Member.instance_id == instance_id, _Member.group_id == group_id)).rowcount > 0

