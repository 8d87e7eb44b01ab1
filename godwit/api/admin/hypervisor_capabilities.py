"""``/admin/v1/hypervisor-capabilities``: limits per (hypervisor_type, hypervisor_version).

Rows are created, listed (``hypervisor_type`` and ``hypervisor_version`` filter), shown,
changed and deleted by uuid; ``lookup`` answers which capability applies to a host of a
given type and version, and where it came from (``exact``, ``type`` or ``default``). A
second row for the same (type, version) is a 409. See doc/hypervisor-capabilities.md.
"""
from godwit.api import validation
from godwit.api.admin import capability_schemas as schemas
from godwit.api.admin.access import admin_only
from godwit.api.openstack import common
from godwit.api.wsgi import response
from godwit.compute import capabilities
from godwit.db import capabilities as db

RULE = "godwit_admin:hypervisor_capabilities:"
_COUNTS = ("max_guests_limit", "max_data_volumes_limit")


class HypervisorCapabilitiesController:

    @admin_only(RULE + "index")
    def index(self, req):
        rows = db.capability_list(**_query(req, schemas.LIST_QUERY))
        return {"hypervisor_capabilities": [view(row) for row in rows]}

    @admin_only(RULE + "show")
    def show(self, req, id):
        return {"hypervisor_capability": view(db.capability_get(id))}

    @response(201)
    @admin_only(RULE + "create")
    @validation.schema(schemas.CREATE)
    def create(self, req, body):
        """Fields left out take the values of the code default (capabilities.DEFAULT)."""
        values = dict(capabilities.DEFAULT, **_values(body))
        return {"hypervisor_capability": view(db.capability_create(values))}

    @admin_only(RULE + "update")
    @validation.schema(schemas.UPDATE)
    def update(self, req, id, body):
        return {"hypervisor_capability": view(db.capability_update(id, _values(body)))}

    @response(204)
    @admin_only(RULE + "delete")
    def delete(self, req, id):
        db.capability_delete(id)

    @admin_only(RULE + "lookup")
    def lookup(self, req):
        query = _query(req, schemas.LOOKUP_QUERY)
        hypervisor_type = query["hypervisor_type"]
        applied = capabilities.lookup(hypervisor_type, query.get("hypervisor_version"))
        shown = default_view(hypervisor_type) if applied.row is None else view(applied.row)
        return {"hypervisor_capability": shown, "source": applied.source}


def _query(req, schema):
    """The query string as validated values; a bad parameter is a 400 that names it."""
    query = {name: values if len(values) > 1 else values[0]
             for name, values in ((name, req.GET.getall(name)) for name in req.GET)}
    validation.validate(query, schema)
    return query


def _values(body):
    """The body's fields; JSON allows 5.0 for an integer, the database wants 5."""
    values = dict(body["hypervisor_capability"])
    for name in _COUNTS:
        if name in values:
            values[name] = int(values[name])
    return values


def view(row):
    return {
        "id": row.uuid,
        "hypervisor_type": row.hypervisor_type,
        "hypervisor_version": row.hypervisor_version,
        **{name: getattr(row, name) for name in capabilities.LIMITS},
        "created_at": common.iso_z(row.created_at),
        "updated_at": common.iso_z(row.updated_at),
    }


def default_view(hypervisor_type):
    """The code default as it applies to ``hypervisor_type``: no row, so no id or version."""
    return {"id": None, "hypervisor_type": hypervisor_type, "hypervisor_version": None,
            **capabilities.DEFAULT, "created_at": None, "updated_at": None}
