"""Queries for compute state: instances, flavors, images, hosts and services.

Every state change an operation depends on is a compare-and-swap (``UPDATE ... WHERE``)
whose row count says whether this caller won.
"""
import datetime
import functools

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from godwit import exception
from godwit.compute import flavors
from godwit.db import models
from godwit.db.session import reader, writer

# --- instances -----------------------------------------------------------------------------


def instance_create(values, metadata=None):
    """The new instance, with its details (metadata, no faults or groups yet) loaded."""
    with writer() as session:
        instance = models.Instance(**values)
        instance.metadata_items = [models.InstanceMetadata(key=k, value=v)
                                   for k, v in (metadata or {}).items()]
        session.add(instance)
        session.flush()
        set_committed_value(instance, "faults", [])
        set_committed_value(instance, "security_groups", [])
        return instance


def _instance_query(project_id=None, include_deleted=False, details=False):
    query = select(models.Instance)
    if details:
        query = query.options(selectinload(models.Instance.metadata_items),
                              selectinload(models.Instance.faults),
                              selectinload(models.Instance.security_groups))
    if project_id is not None:
        query = query.where(models.Instance.project_id == project_id)
    if not include_deleted:
        query = query.where(models.Instance.deleted.is_(False))
    return query


@functools.cache
def _instance_by_uuid(scoped, details):
    """Built once per shape: building a statement costs more than running it here."""
    project = bindparam("project_id") if scoped else None
    return _instance_query(project, details=details).where(
        models.Instance.uuid == bindparam("uuid"))


def instance_get(uuid, project_id=None, details=False):
    """The live instance, or InstanceNotFound; ``project_id`` limits it to that project.

    ``details`` also loads its metadata and faults (what the API shows).
    """
    statement = _instance_by_uuid(project_id is not None, details)
    with reader() as session:
        instance = session.scalars(statement, {"uuid": uuid, "project_id": project_id}).first()
    if instance is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    return instance


def instance_list(project_id=None, filters=None, limit=None, marker=None, details=False):
    """Live instances, newest first, paged by ``marker`` (the last uuid seen)."""
    filters = filters or {}
    query = _instance_query(project_id, details=details)
    for column in ("host", "vm_state", "display_name", "flavorid", "image_ref", "user_id",
                   "previous_host"):
        if filters.get(column) is not None:
            query = query.where(getattr(models.Instance, column) == filters[column])
    if filters.get("vm_states"):
        query = query.where(models.Instance.vm_state.in_(filters["vm_states"]))
    with reader() as session:
        if marker is not None:
            mark = session.scalars(_instance_query(project_id).where(
                models.Instance.uuid == marker)).first()
            if mark is None:
                raise exception.MarkerNotFound(marker=marker)
            query = query.where(models.Instance.id < mark.id)
        query = query.order_by(models.Instance.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return list(session.scalars(query))


def instance_count(project_id):
    """(instances, vcpus, memory_mb) in use by a project."""
    with reader() as session:
        row = session.execute(
            select(func.count(models.Instance.id),
                   func.coalesce(func.sum(models.Instance.vcpus), 0),
                   func.coalesce(func.sum(models.Instance.memory_mb), 0))
            .where(models.Instance.project_id == project_id,
                   models.Instance.deleted.is_(False))).one()
    return tuple(int(v) for v in row)


def instance_update(uuid, values, expected=None, session=None):
    """Compare-and-swap: update the live instance only if every ``expected`` column matches.

    ``expected`` maps a column to a value or to a tuple/set/frozenset of allowed values.
    Returns True if this call changed the row.
    """
    return _compare_and_swap(models.Instance, ("uuid", uuid), values, expected, session)


def _compare_and_swap(model, key, values, expected, session):
    """``UPDATE model SET values WHERE key AND expected``; True if it changed the row.

    ``key`` is (column name, value) naming the row. Statements are built once per shape.
    """
    expected = expected or {}
    shape = tuple((column, _expected_kind(value)) for column, value in expected.items())
    statement = _cas_statement(model, key[0], shape, tuple(values))
    params = {"key": key[1], "updated_at": models.utcnow(),
              **{"v_" + column: value for column, value in values.items()}}
    for column, value in expected.items():
        if isinstance(value, (tuple, list, set, frozenset)):
            params["e_" + column] = [v for v in value if v is not None]
        elif value is not None:
            params["e_" + column] = value
    if session is not None:
        return session.execute(statement, params).rowcount == 1
    with writer() as own:
        return own.execute(statement, params).rowcount == 1


def _expected_kind(value):
    if isinstance(value, (tuple, list, set, frozenset)):
        return "any_or_null" if None in value else "any"
    return "null" if value is None else "equal"


@functools.cache
def _cas_statement(model, key_column, shape, value_columns):
    table = model.__table__
    conditions = [table.c[key_column] == bindparam("key")]
    if "deleted" in table.c:
        conditions.append(table.c.deleted.is_(False))
    for column, kind in shape:
        attr = table.c[column]
        if kind == "null":
            conditions.append(attr.is_(None))
        elif kind == "equal":
            conditions.append(attr == bindparam("e_" + column))
        else:
            clause = attr.in_(bindparam("e_" + column, expanding=True))
            conditions.append(clause | attr.is_(None) if kind == "any_or_null" else clause)
    values = {column: bindparam("v_" + column, type_=table.c[column].type)
              for column in value_columns}
    return update(table).where(and_(*conditions)).values(
        updated_at=bindparam("updated_at"), **values)


def instance_add_fault(uuid, code, message, details=None, session=None):
    def add(s):
        instance_id = s.scalar(select(models.Instance.id).where(models.Instance.uuid == uuid))
        if instance_id is not None:
            s.add(models.InstanceFault(instance_id=instance_id, code=code,
                                       message=message[:255], details=details))
    if session is not None:
        add(session)
    else:
        with writer() as own:
            add(own)


def instance_mark_deleted(uuid, session):
    """Soft-deletes the instance; returns True if it was live."""
    now = models.utcnow()
    return session.execute(update(models.Instance).where(
        models.Instance.uuid == uuid, models.Instance.deleted.is_(False)).values(
        deleted=True, deleted_at=now, terminated_at=now, vm_state="deleted",
        task_state=None, power_state=0)).rowcount == 1

# --- flavors and images --------------------------------------------------------------------


def flavor_create(values):
    with writer() as session:
        for field in ("flavorid", "name"):
            if session.scalar(select(models.Flavor.id).where(
                    getattr(models.Flavor, field) == values[field])) is not None:
                raise exception.FlavorExists(field=field, value=values[field])
        flavor = models.Flavor(**values)
        session.add(flavor)
        session.flush()
        return flavor


_FLAVOR_BY_ID = select(models.Flavor).where(models.Flavor.flavorid == bindparam("flavorid"))


def flavor_get(flavorid):
    with reader() as session:
        flavor = session.scalars(_FLAVOR_BY_ID, {"flavorid": flavorid}).first()
    if flavor is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return flavor


def flavor_list(is_public=True, min_memory_mb=None, min_disk=None):
    query = select(models.Flavor).order_by(models.Flavor.flavorid)
    if is_public is not None:
        query = query.where(models.Flavor.is_public.is_(is_public))
    if min_memory_mb is not None:
        query = query.where(models.Flavor.memory_mb >= min_memory_mb)
    if min_disk is not None:
        query = query.where(models.Flavor.root_gb >= min_disk)
    with reader() as session:
        return list(session.scalars(query))


def flavor_delete(flavorid):
    with writer() as session:
        flavor = session.scalars(select(models.Flavor).where(
            models.Flavor.flavorid == flavorid)).first()
        if flavor is None:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        session.delete(flavor)


def image_create(values):
    with writer() as session:
        image = models.Image(**values)
        session.add(image)
        session.flush()
        return image


def _visible_images(project_id):
    visible = models.Image.visibility.in_(("public", "community"))
    if project_id is not None:
        visible = visible | (models.Image.owner == project_id)
    return select(models.Image).where(visible)


@functools.cache
def _image_by_uuid(all_projects, scoped):
    query = select(models.Image) if all_projects else \
        _visible_images(bindparam("project_id") if scoped else None)
    return query.where(models.Image.uuid == bindparam("uuid"))


def image_get(uuid, project_id=None, all_projects=False):
    statement = _image_by_uuid(all_projects, project_id is not None)
    with reader() as session:
        image = session.scalars(statement, {"uuid": uuid, "project_id": project_id}).first()
    if image is None:
        raise exception.ImageNotFound(image_id=uuid)
    return image


def image_list(project_id=None, all_projects=False):
    query = select(models.Image) if all_projects else _visible_images(project_id)
    with reader() as session:
        return list(session.scalars(query.order_by(models.Image.name, models.Image.id)))

# --- hosts and claims ----------------------------------------------------------------------


def host_register(name, values, new_host=None):
    """Creates or refreshes a compute host's row.

    ``new_host`` (e.g. cluster_id, allocation_state) is set only on a row created here: a
    host an admin added, or that registered before, keeps its place and state. A new host
    is ready, and Disabled unless ``values`` or ``new_host`` say otherwise.
    """
    with writer() as session:
        host = session.scalars(select(models.Host).where(models.Host.name == name)).first()
        if host is None:
            host = models.Host(name=name, **{**(new_host or {}), **values})
            session.add(host)
        else:
            for key, value in values.items():
                setattr(host, key, value)
        session.flush()
        return host


def host_get(name):
    with reader() as session:
        host = session.scalars(select(models.Host).where(models.Host.name == name)).first()
    if host is None:
        raise exception.HostNotFound(host=name)
    return host


def host_list():
    with reader() as session:
        return list(session.scalars(select(models.Host).order_by(models.Host.id)))


def host_claim(session, name, vcpus, memory_mb, disk_gb):
    """Adds an instance's needs to a host's usage if, and only if, they still fit.

    One conditional UPDATE, so concurrent claims on one host can never oversubscribe it.
    """
    return session.execute(_HOST_CLAIM, _usage_params(name, vcpus, memory_mb,
                                                      disk_gb)).rowcount == 1


def host_release(session, name, vcpus, memory_mb, disk_gb):
    session.execute(_HOST_RELEASE, _usage_params(name, vcpus, memory_mb, disk_gb))


def _usage_params(name, vcpus, memory_mb, disk_gb):
    return {"b_name": name, "b_vcpus": vcpus, "b_memory_mb": memory_mb, "b_disk_gb": disk_gb}


def _usage_change(sign):
    """``UPDATE hosts`` adding (sign 1) or removing (-1) one instance's needs."""
    h = models.Host.__table__.c
    return update(models.Host.__table__).where(h.name == bindparam("b_name")).values(
        vcpus_used=h.vcpus_used + sign * bindparam("b_vcpus"),
        memory_mb_used=h.memory_mb_used + sign * bindparam("b_memory_mb"),
        disk_gb_used=h.disk_gb_used + sign * bindparam("b_disk_gb"),
        running_vms=h.running_vms + sign)


_HOST_RELEASE = _usage_change(-1)
_HOST_CLAIM = _usage_change(1).where(
    models.Host.vcpus_used + bindparam("b_vcpus") <=
    models.Host.vcpus * models.Host.cpu_allocation_ratio,
    models.Host.memory_mb_used + bindparam("b_memory_mb") <=
    models.Host.memory_mb * models.Host.ram_allocation_ratio,
    models.Host.disk_gb_used + bindparam("b_disk_gb") <=
    models.Host.disk_gb * models.Host.disk_allocation_ratio)


def host_recount_usage(name):
    """Sets a host's usage to what its live instances and open migrations hold.

    Repairs lost updates. An open migration holds the flavor on the side the instance is
    not on: the new flavor on the destination until the instance moves there, the old one
    on the source after.
    """
    i = models.Instance
    with writer() as session:
        vcpus, memory_mb, disk_gb, count = session.execute(
            select(func.coalesce(func.sum(i.vcpus), 0), func.coalesce(func.sum(i.memory_mb), 0),
                   func.coalesce(func.sum(i.root_gb + i.ephemeral_gb), 0), func.count(i.id))
            .where(i.host == name, i.deleted.is_(False))).one()
        for migration, instance in _open_migrations_of_host(session, name):
            host, flavor = migration_other_side(migration, instance)
            if host == name:
                vcpus, memory_mb, disk_gb = (
                    used + more for used, more in zip((vcpus, memory_mb, disk_gb),
                                                      flavors.needs(flavor)))
                count += 1
        session.execute(update(models.Host).where(models.Host.name == name).values(
            vcpus_used=vcpus, memory_mb_used=memory_mb, disk_gb_used=disk_gb,
            running_vms=count))


def _open_migrations_of_host(session, name):
    m, i = models.Migration, models.Instance
    return session.execute(
        select(m, i).join(i, i.uuid == m.instance_uuid)
        .where(m.status.not_in(_TERMINAL), i.deleted.is_(False),
               (m.source_host == name) | (m.dest_host == name))).all()


def migration_other_side(migration, instance):
    """(host, flavor) of the claim a migration holds besides the instance's own."""
    if instance_on_new_side(migration, instance):
        return migration.source_host, migration.old_flavor
    return migration.dest_host, migration.new_flavor


def instance_on_new_side(migration, instance):
    """Whether the instance already runs as the migration's result (destination, new flavor).

    The host alone cannot tell for a resize on the same host; the flavor alone cannot for
    a cold migration (same flavor): together they can, as both change in one transaction.
    """
    return (instance.host == migration.dest_host
            and instance.flavorid == migration.new_flavor["flavorid"])

# --- migrations ----------------------------------------------------------------------------


_TERMINAL = ("finished", "error", "cancelled")


def migration_create(session, values):
    """Inserts the row; returns it as an object holding ``values`` and its new uuid."""
    values = dict(values, uuid=models.new_uuid())
    session.execute(insert(models.Migration.__table__), [values])
    return models.Migration(**values)


_MIGRATION_BY = {
    key: select(models.Migration).where(getattr(models.Migration, key) == bindparam("key"))
    for key in ("id", "uuid")}


def migration_get(migration_id, session=None):
    """By uuid, or by the integer id Nova's API shows."""
    numeric = str(migration_id).isdigit()
    statement = _MIGRATION_BY["id" if numeric else "uuid"]
    params = {"key": int(migration_id) if numeric else migration_id}
    if session is not None:
        migration = session.scalars(statement, params).first()
    else:
        with reader() as own:
            migration = own.scalars(statement, params).first()
    if migration is None:
        raise exception.MigrationNotFound(migration_id=migration_id)
    return migration


def host_update(name, values, expected=None, session=None):
    """Compare-and-swap on one host (by name), as ``instance_update``."""
    return _compare_and_swap(models.Host, ("name", name), values, expected, session)


def migration_update(uuid, values, expected=None, session=None):
    """Compare-and-swap on one migration, as ``instance_update``."""
    return _compare_and_swap(models.Migration, ("uuid", uuid), values, expected, session)


def migration_list(filters=None, limit=None, marker=None):
    """Migrations, newest first, paged by ``marker`` (a uuid).

    ``filters``: host (source or destination), source_host, dest_host, next_step_host,
    status (one or a list), instance_uuid, migration_type, open (True: not terminal),
    changes_since, changes_before.
    """
    m = models.Migration
    filters = filters or {}
    query = select(m)
    if filters.get("host"):
        query = query.where((m.source_host == filters["host"]) |
                            (m.dest_host == filters["host"]))
    for column in ("source_host", "dest_host", "next_step_host", "instance_uuid",
                   "migration_type"):
        if filters.get(column):
            query = query.where(getattr(m, column) == filters[column])
    status = filters.get("status")
    if status:
        query = query.where(m.status.in_([status] if isinstance(status, str) else status))
    if filters.get("open"):
        query = query.where(m.status.not_in(_TERMINAL))
    if filters.get("changes_since"):
        query = query.where(func.coalesce(m.updated_at, m.created_at) >=
                            filters["changes_since"])
    if filters.get("changes_before"):
        query = query.where(func.coalesce(m.updated_at, m.created_at) <=
                            filters["changes_before"])
    with reader() as session:
        if marker is not None:
            mark = session.scalars(select(m).where(m.uuid == marker)).first()
            if mark is None:
                raise exception.MarkerNotFound(marker=marker)
            query = query.where(m.id < mark.id)
        query = query.order_by(m.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return list(session.scalars(query))


def migration_open_for_instance(instance_uuid, session=None):
    """The instance's migration that is not terminal yet, or None."""
    m = models.Migration
    query = select(m).where(m.instance_uuid == instance_uuid,
                            m.status.not_in(_TERMINAL)).order_by(m.id.desc())
    if session is not None:
        return session.scalars(query).first()
    with reader() as own:
        return own.scalars(query).first()


# --- services ------------------------------------------------------------------------------


def service_register(host, binary, topic):
    """Creates the service row if needed and records a first heartbeat."""
    with writer() as session:
        service = session.scalars(select(models.Service).where(
            models.Service.host == host, models.Service.binary == binary)).first()
        if service is None:
            service = models.Service(host=host, binary=binary, topic=topic)
            session.add(service)
        service.last_seen_up = models.utcnow()
        session.flush()
        return service


def service_heartbeat(service_id):
    with writer() as session:
        session.execute(update(models.Service).where(models.Service.id == service_id).values(
            last_seen_up=models.utcnow(), report_count=models.Service.report_count + 1))


def service_list(host=None, binary=None):
    query = select(models.Service).order_by(models.Service.id)
    if host is not None:
        query = query.where(models.Service.host == host)
    if binary is not None:
        query = query.where(models.Service.binary == binary)
    with reader() as session:
        return list(session.scalars(query))


def service_get(uuid):
    with reader() as session:
        service = session.scalars(select(models.Service).where(
            models.Service.uuid == uuid)).first()
    if service is None:
        raise exception.ServiceNotFound(service_id=uuid)
    return service


def _update_one(model, where, values, not_found):
    """Sets ``values`` on the one row matching ``where``; raises ``not_found`` if none."""
    with writer() as session:
        row = session.scalars(select(model).where(where)).first()
        if row is None:
            raise not_found
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return row


def service_update(uuid, values):
    return _update_one(models.Service, models.Service.uuid == uuid, values,
                       exception.ServiceNotFound(service_id=uuid))


def flavor_update(flavorid, values):
    return _update_one(models.Flavor, models.Flavor.flavorid == flavorid, values,
                       exception.FlavorNotFound(flavor_id=flavorid))


def service_is_up(service, down_time):
    """Up means a heartbeat newer than ``down_time`` seconds and not forced down."""
    if service.forced_down or service.last_seen_up is None:
        return False
    age = models.utcnow() - service.last_seen_up
    return age <= datetime.timedelta(seconds=down_time)
