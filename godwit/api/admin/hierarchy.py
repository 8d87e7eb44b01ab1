"""``/admin/v1/zones``, ``/pods``, ``/clusters``, ``/hosts``: the placement hierarchy.

Each level has list, show, create (201), update (PATCH) and delete (204). Ids are uuids;
a zone may also be shown by its name. Every list filters on ``allocationstate`` (Enabled or
Disabled) and on the uuids of the level's parents. A new row is Disabled unless the body
says ``"allocationstate": "Enabled"``. Deleting something that still holds pods, clusters,
hosts or (a host) instances is a 409.

Clusters also take ``managedstate`` (Managed or Unmanaged; lists filter on it): the compute
workers of an Unmanaged cluster leave their hypervisors alone (see doc/cluster-upgrades.md),
and are told of every change at once.

Everything is for admins, except listing and showing zones: any authenticated user may, but
sees only Enabled zones unless ``godwit_admin:zones:disabled`` allows more (see
``godwit.placement``); a disabled zone asked for by id or name is then a 404.
"""
from godwit import exception, placement
from godwit.api import validation
from godwit.api.admin import hierarchy_schemas as schemas
from godwit.api.admin import hierarchy_views as views
from godwit.api.admin.access import admin_only
from godwit.api.openstack import common
from godwit.api.wsgi import response
from godwit.db import hierarchy, models


def parse_query(req, schema):
    """The list's query, validated: a repeated or unknown parameter is a 400 naming it."""
    query = {}
    for name in req.GET:
        values = req.GET.getall(name)
        query[name] = values if len(values) > 1 else values[0]
    validation.validate(query, schema)
    return _renamed(query, ())


# CloudStack's field names in bodies and queries -> the columns.
_COLUMNS = {"allocationstate": "allocation_state", "managedstate": "managed_state"}


def _renamed(fields, dropped):
    """``fields`` with CloudStack's names as column names, without the ``dropped`` ones."""
    return {_COLUMNS.get(key, key): value for key, value in fields.items()
            if key not in dropped}


def _values(fields):
    """Column values from a body's fields (the parent is resolved apart)."""
    return _renamed(fields, ("zone_id", "pod_id", "cluster_id"))


class _Level:
    """What the four levels share (see ``_level_controller``)."""
    model = None
    key = None
    parent_field = None
    view = None

    def _list(self, req, schema, filters=None):
        filters = dict(parse_query(req, schema), **(filters or {}))
        rows = hierarchy.placed_list(self.model, filters)
        return {self.key + "s": [self.view(placed) for placed in rows]}

    def _uuid(self, id):
        """``id`` if it is a uuid; anything else names nothing (404)."""
        if not common.is_uuid(id):
            raise exception.PlacementNotFound(level=hierarchy.LEVEL_NAMES[self.model], ref=id)
        return id

    def _show(self, id):
        return {self.key: self.view(hierarchy.placed_get(self.model, self._uuid(id)))}

    def _create(self, body):
        fields = body[self.key]
        placed = hierarchy.create(self.model, _values(fields),
                                  parent_uuid=fields.get(self.parent_field))
        return {self.key: self.view(placed)}

    def _update(self, id, body, move=False):
        fields = body[self.key]
        placed = hierarchy.update(self.model, self._uuid(id), _values(fields),
                                  parent_uuid=fields.get(self.parent_field), move=move)
        return {self.key: self.view(placed)}

    def _delete(self, id):
        hierarchy.delete(self.model, self._uuid(id))


def _level_controller(model, key, parent_field, view, schema_names, movable=False):
    """The controller of one level: list, show, create, update and delete, each under its
    own rule (``godwit_admin:<key>s:<action>``) and body schema, declared on the methods so
    that the OpenAPI document reads them. ``movable``: an update may change the parent."""
    rule = f"godwit_admin:{key}s:"
    query, create_body, update_body = (getattr(schemas, name) for name in schema_names)

    class Controller(_Level):
        @admin_only(rule + "index")
        def index(self, req):
            return self._list(req, query)

        @admin_only(rule + "show")
        def show(self, req, id):
            return self._show(id)

        @response(201)
        @admin_only(rule + "create")
        @validation.schema(create_body)
        def create(self, req, body):
            return self._create(body)

        @admin_only(rule + "update")
        @validation.schema(update_body)
        def update(self, req, id, body):
            return self._update(id, body, move=movable and parent_field in body[key])

        @response(204)
        @admin_only(rule + "delete")
        def delete(self, req, id):
            self._delete(id)

    Controller.model, Controller.key, Controller.parent_field = model, key, parent_field
    Controller.view = staticmethod(view)
    Controller.__name__ = Controller.__qualname__ = f"{key.title()}sController"
    return Controller


ZONES = "godwit_admin:zones:"


class ZonesController(_level_controller(models.Zone, "zone", None, views.zone,
                                        ("ZONES_QUERY", "ZONE_CREATE", "ZONE_UPDATE"))):
    """Zones are listed and shown to everyone, but only the Enabled ones to most."""

    @admin_only(ZONES + "index")
    def index(self, req):
        if placement.sees_disabled_zones(req.context):
            return self._list(req, schemas.ZONES_QUERY)
        query = parse_query(req, schemas.ZONES_QUERY)
        if query.get("allocation_state", hierarchy.ENABLED) != hierarchy.ENABLED:
            return {"zones": []}
        return self._list(req, schemas.ZONES_QUERY, {"allocation_state": hierarchy.ENABLED})

    @admin_only(ZONES + "show")
    def show(self, req, id):
        """By uuid or by name; a zone the caller may not see is not found."""
        placed = hierarchy.placed_get(self.model, id, by_name=not common.is_uuid(id))
        if placed.row.allocation_state != hierarchy.ENABLED and \
                not placement.sees_disabled_zones(req.context):
            raise exception.PlacementNotFound(level="Zone", ref=id)
        return {"zone": views.zone(placed)}


PodsController = _level_controller(models.Pod, "pod", "zone_id", views.pod,
                                   ("PODS_QUERY", "POD_CREATE", "POD_UPDATE"))


class ClustersController(_level_controller(models.Cluster, "cluster", "pod_id", views.cluster,
                                           ("CLUSTERS_QUERY", "CLUSTER_CREATE",
                                            "CLUSTER_UPDATE"))):
    """A change of ``managedstate`` is sent to the cluster's compute workers as well."""

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @admin_only("godwit_admin:clusters:update")
    @validation.schema(schemas.CLUSTER_UPDATE)
    def update(self, req, id, body):
        updated = self._update(id, body)
        if "managedstate" in body["cluster"]:
            self.compute_api.cluster_managed_changed(req.context, id)
        return updated


# A host added here is a row its compute worker fills in when it starts (``godwit-compute
# --host NAME``); until then it has no capacity. An update may move it to another cluster
# (``cluster_id``; null: none).
HostsController = _level_controller(models.Host, "host", "cluster_id", views.host,
                                    ("HOSTS_QUERY", "HOST_CREATE", "HOST_UPDATE"), movable=True)


def routes(compute_api):
    """[(path, controller, {method: action})] of the four levels."""
    found = []
    for name, controller in (("zones", ZonesController()), ("pods", PodsController()),
                             ("clusters", ClustersController(compute_api)),
                             ("hosts", HostsController())):
        found += [(f"/v1/{name}", controller, {"GET": "index", "POST": "create"}),
                  (f"/v1/{name}/{{id}}", controller,
                   {"GET": "show", "PATCH": "update", "DELETE": "delete"})]
    return found
