"""Queries for the placement hierarchy: zones > pods > clusters > hosts.

Outside the database every row is named by its uuid, parents included: a parent given by
uuid is resolved here, and rows come back as ``Placed(row, parents)`` where ``parents``
maps ``zone_id``/``pod_id``/``cluster_id`` to the uuids of the row's ancestors (None for a
host in no cluster).
"""
import collections

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from godwit import exception
from godwit.db import models
from godwit.db.session import reader, writer

Placed = collections.namedtuple("Placed", "row parents")

ENABLED = "Enabled"
DISABLED = "Disabled"
MANAGED = "Managed"
UNMANAGED = "Unmanaged"

LEVEL_NAMES = {models.Zone: "Zone", models.Pod: "Pod", models.Cluster: "Cluster",
               models.Host: "Host"}

# Each level's ancestors, nearest first: (API field, ancestor model, column naming it).
_ANCESTORS = {models.Zone: [], models.Pod: [("zone_id", models.Zone, models.Pod.zone_id)]}
_ANCESTORS[models.Cluster] = [("pod_id", models.Pod, models.Cluster.pod_id),
                              *_ANCESTORS[models.Pod]]
_ANCESTORS[models.Host] = [("cluster_id", models.Cluster, models.Host.cluster_id),
                           *_ANCESTORS[models.Cluster]]

# The rows that keep a row from being deleted: (model, column pointing at the parent).
_CHILDREN = {models.Zone: (models.Pod, models.Pod.zone_id),
             models.Pod: (models.Cluster, models.Cluster.pod_id),
             models.Cluster: (models.Host, models.Host.cluster_id)}

# Where names must be unique: the parent column, or None for unique in the whole cloud.
_NAME_SCOPE = {models.Zone: None, models.Pod: models.Pod.zone_id,
               models.Cluster: models.Cluster.pod_id, models.Host: None}


def _query(model):
    """The rows of ``model`` with the uuids of their ancestors (outer joins: a host may be
    in no cluster)."""
    ancestors = _ANCESTORS[model]
    query = select(model, *(ancestor.uuid for _, ancestor, _ in ancestors))
    for _, ancestor, column in ancestors:
        query = query.outerjoin(ancestor, ancestor.id == column)
    return query


def _placed(model, result):
    row, *uuids = result
    return Placed(row, {field: uuid for (field, _, _), uuid in zip(_ANCESTORS[model], uuids)})


def placed_list(model, filters=None):
    """Rows in creation order; ``filters`` may hold ``allocation_state``, a cluster's
    ``managed_state`` and the uuid of any ancestor (``zone_id``, ``pod_id``,
    ``cluster_id``)."""
    query = _query(model)
    for field, ancestor, _ in _ANCESTORS[model]:
        if (filters or {}).get(field):
            query = query.where(ancestor.uuid == filters[field])
    for column in ("allocation_state", "managed_state"):
        if (filters or {}).get(column):
            query = query.where(getattr(model, column) == filters[column])
    with reader() as session:
        return [_placed(model, result) for result in session.execute(query.order_by(model.id))]


def placed_get(model, ref, by_name=False):
    """The row whose uuid (or, with ``by_name``, name) is ``ref``; PlacementNotFound if none."""
    column = model.name if by_name else model.uuid
    with reader() as session:
        result = session.execute(_query(model).where(column == ref)).first()
    if result is None:
        raise exception.PlacementNotFound(level=LEVEL_NAMES[model], ref=ref)
    return _placed(model, result)


def _parent(session, model, field, uuid):
    """The parent row named by ``uuid``; a 400 naming ``field`` if none."""
    _, parent, _ = next(ancestor for ancestor in _ANCESTORS[model] if ancestor[0] == field)
    row = session.scalars(select(parent).where(parent.uuid == uuid)).first()
    if row is None:
        raise exception.ValidationError(
            field=field, reason=f"{LEVEL_NAMES[parent]} {uuid} could not be found.")
    return row


def _scope_of(model, value_of):
    """The id of the parent names are unique in (None: unique in the whole cloud)."""
    scope = _NAME_SCOPE[model]
    return None if scope is None else value_of(scope.key)


def _check_name_free(session, model, name, scope_id, own_id=None):
    scope = _NAME_SCOPE[model]
    query = select(model.id).where(model.name == name)
    if scope is not None:
        query = query.where(scope == scope_id)
    if own_id is not None:
        query = query.where(model.id != own_id)
    if session.scalar(query) is not None:
        raise exception.DuplicateEntry(what=LEVEL_NAMES[model], name=name)


def create(model, values, parent_uuid=None):
    """Adds a row (Disabled unless ``values`` say otherwise) under the parent whose uuid is
    ``parent_uuid``. A new host takes its cluster's hypervisor type until its compute worker
    reports its own."""
    values = dict(values)
    try:
        with writer() as session:
            if _ANCESTORS[model]:
                field, _, column = _ANCESTORS[model][0]
                parent = _parent(session, model, field, parent_uuid)
                values[column.key] = parent.id
                if model is models.Host:
                    values["hypervisor_type"] = parent.hypervisor_type
            _check_name_free(session, model, values["name"], _scope_of(model, values.get))
            row = model(**values)
            session.add(row)
            session.flush()
            uuid = row.uuid
    except IntegrityError:  # a concurrent create of the same name won
        raise exception.DuplicateEntry(what=LEVEL_NAMES[model], name=values["name"]) from None
    return placed_get(model, uuid)


def update(model, uuid, values, parent_uuid=None, move=False):
    """Changes a row's ``values``; with ``move``, also its parent (``parent_uuid``, None for
    none: only hosts may be in no cluster)."""
    values = dict(values)
    try:
        with writer() as session:
            row = session.scalars(select(model).where(model.uuid == uuid)).first()
            if row is None:
                raise exception.PlacementNotFound(level=LEVEL_NAMES[model], ref=uuid)
            if move:
                field, _, column = _ANCESTORS[model][0]
                values[column.key] = None if parent_uuid is None else \
                    _parent(session, model, field, parent_uuid).id
            if "name" in values:
                _check_name_free(session, model, values["name"],
                                 _scope_of(model, lambda key: getattr(row, key)), own_id=row.id)
            for key, value in values.items():
                setattr(row, key, value)
    except IntegrityError:
        raise exception.DuplicateEntry(what=LEVEL_NAMES[model],
                                       name=values.get("name", uuid)) from None
    return placed_get(model, uuid)


def delete(model, uuid):
    """Deletes a row that nothing is placed in (else a 409 saying what is left)."""
    try:
        with writer() as session:
            row = session.scalars(select(model).where(model.uuid == uuid)).first()
            if row is None:
                raise exception.PlacementNotFound(level=LEVEL_NAMES[model], ref=uuid)
            left, what = _contents(session, model, row)
            if left:
                raise exception.Conflict(
                    f"{LEVEL_NAMES[model]} {row.name} still holds {left} {what}: "
                    f"remove them first.")
            session.delete(row)
    except IntegrityError:  # a child was added meanwhile: its foreign key refuses
        raise exception.Conflict(f"{LEVEL_NAMES[model]} {uuid} is not empty any more.") \
            from None


def _contents(session, model, row):
    """(how many, what) is placed in ``row``: child rows, or a host's live instances."""
    if model is models.Host:
        instance = models.Instance
        return session.scalar(select(func.count(instance.id)).where(
            instance.host == row.name, instance.deleted.is_(False))), "instances"
    child, column = _CHILDREN[model]
    return session.scalar(select(func.count(child.id)).where(column == row.id)), \
        f"{child.__tablename__}"


# --- for the scheduler, the compute API and the compute workers ----------------------------


def cluster_states():
    """{cluster id: (cluster, pod, zone allocation states)}, in one query."""
    c, p, z = models.Cluster, models.Pod, models.Zone
    query = (select(c.id, c.allocation_state, p.allocation_state, z.allocation_state)
             .join(p, p.id == c.pod_id).join(z, z.id == p.zone_id))
    with reader() as session:
        return {cluster_id: tuple(states) for cluster_id, *states in session.execute(query)}


def unmanaged_cluster_ids():
    """The ids of the clusters whose compute workers leave their hypervisors alone."""
    with reader() as session:
        return set(session.scalars(select(models.Cluster.id).where(
            models.Cluster.managed_state == UNMANAGED)))


def cluster_of_host(name):
    """The cluster row of host ``name``; None for a host in no cluster or not known yet."""
    query = (select(models.Cluster).join(models.Host, models.Host.cluster_id == models.Cluster.id)
             .where(models.Host.name == name))
    with reader() as session:
        return session.scalars(query).first()


def host_zones():
    """{host name: zone name} for every host that is in a zone."""
    query = (select(models.Host.name, models.Zone.name)
             .join(models.Cluster, models.Host.cluster_id == models.Cluster.id)
             .join(models.Pod, models.Cluster.pod_id == models.Pod.id)
             .join(models.Zone, models.Pod.zone_id == models.Zone.id))
    with reader() as session:
        return dict(session.execute(query).all())


def zone_states():
    """{zone name: allocation state} of every zone."""
    with reader() as session:
        return dict(session.execute(select(models.Zone.name, models.Zone.allocation_state)).all())


def cluster_id(ref):
    """The id of the cluster whose uuid or name is ``ref`` (a name must be unique)."""
    return cluster_by_ref(ref).id


def cluster_by_ref(ref):
    """The cluster whose uuid or name is ``ref`` (a name must be unique)."""
    with reader() as session:
        rows = list(session.scalars(select(models.Cluster).where(
            (models.Cluster.uuid == ref) | (models.Cluster.name == ref))))
    if not rows:
        raise exception.PlacementNotFound(level="Cluster", ref=ref)
    if len(rows) > 1:
        raise exception.Conflict(f"Several clusters are named {ref}: name one by its uuid.")
    return rows[0]
