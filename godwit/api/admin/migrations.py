"""``/admin/v1/migrations``: every migration, filtered and paged; one by uuid or id; cancel.

The list takes ``host`` (source or destination), ``status`` (repeatable), ``server``,
``type``, ``open`` (true: not ended yet; false: ended), ``limit`` (1 to 1000, default 100)
and ``marker`` (the last uuid seen); ``next`` is the URL of the following page, null on the
last one. Cancelling is for migrations that have not reached post-migrating (else 409).
"""
from godwit.api import validation
from godwit.api.admin import schemas, views
from godwit.api.admin.access import admin_only
from godwit.api.openstack import common
from godwit.api.wsgi import response
from godwit.compute import states

RULE = "godwit_admin:migrations:"
DEFAULT_LIMIT = 100


class MigrationsController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @admin_only(RULE + "index")
    def index(self, req):
        """One row more than the page is asked for, so that the last page has no ``next``."""
        query = parse_query(req)
        limit = query.get("limit", DEFAULT_LIMIT)
        filters = _filters(query)
        rows = [] if filters is None else self.compute_api.list_migrations(
            req.context, filters, limit=limit + 1, marker=query.get("marker"))
        page = rows[:limit]
        links = common.next_links(req, page, limit, lambda row: row.uuid) \
            if len(rows) > limit else []
        return {"migrations": [views.migration(row) for row in page],
                "next": links[0]["href"] if links else None}

    @admin_only(RULE + "show")
    def show(self, req, id):
        return {"migration": views.migration(self.compute_api.get_migration(req.context, id))}

    @response(202)
    @admin_only(RULE + "cancel")
    def cancel(self, req, id):
        self.compute_api.cancel_migration(req.context, id)


def parse_query(req):
    """The list's query as validated values; a bad parameter is a 400 that names it."""
    query = {}
    for name in req.GET:
        values = req.GET.getall(name)
        query[name] = values if name == "status" or len(values) > 1 else values[0]
    if isinstance(query.get("limit"), str) and query["limit"].isdigit():
        query["limit"] = int(query["limit"])
    validation.validate(query, schemas.MIGRATIONS_QUERY)
    return query


def _filters(query):
    """The compute API's filters, or None when they can match nothing (``open=false``
    with only statuses that have not ended)."""
    filters = {"host": query.get("host"), "instance_uuid": query.get("server"),
               "migration_type": query.get("type")}
    statuses = query.get("status")
    if query.get("open") == "true":
        filters["open"] = True
    elif query.get("open") == "false":
        statuses = [status for status in statuses or states.MIGRATION_STATUSES
                    if status in states.TERMINAL]
        if not statuses:
            return None
    filters["status"] = statuses
    return {key: value for key, value in filters.items() if value}
