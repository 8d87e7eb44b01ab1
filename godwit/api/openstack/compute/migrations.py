"""``GET /os-migrations`` (admin): every migration, newest first, filtered as Nova does.

Filters: ``host`` (source or destination), ``source_compute``, ``status``, ``instance_uuid``
and ``migration_type``. Before 2.59 other parameters are ignored, as Nova's schema allows
any; from 2.59 they are a 400, and ``limit``, ``marker`` (a migration uuid) and
``changes-since`` (from 2.66 also ``changes-before``) page and filter the list. ``hidden``
is accepted and ignored: godwit hides no migration.
"""
from godwit import exception, policy
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import server_filters
from godwit.api.openstack.compute.views.migrations import MigrationViews

# query parameter -> compute API filter
FILTERS = {"host": "host", "source_compute": "source_host", "status": "status",
           "instance_uuid": "instance_uuid", "migration_type": "migration_type"}
PARAMS_V259 = frozenset(FILTERS) | {"hidden", "limit", "marker", "changes-since"}
PARAMS_V266 = PARAMS_V259 | {"changes-before"}


class MigrationsController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    def index(self, req):
        policy.authorize(req.context, "os_compute_api:os-migrations:index")
        paging = mv.is_supported(req, "2.59")
        filters = {FILTERS[name]: value for name, value in req.GET.items()
                   if name in FILTERS and value}
        limit, marker = None, None
        if paging:
            _check_params(req)
            limit, marker = common.limit_and_marker(req)
            since, before = server_filters.changes_window(req)
            filters.update(changes_since=since, changes_before=before)
        migrations = self.compute_api.list_migrations(req.context, filters, limit=limit,
                                                      marker=marker)
        views = MigrationViews(req)
        body = {"migrations": [views.os_migration(migration) for migration in migrations]}
        links = common.next_links(req, migrations, limit, lambda migration: migration.uuid)
        if links:
            body["migrations_links"] = links
        return body


def _check_params(req):
    known = PARAMS_V266 if mv.is_supported(req, "2.66") else PARAMS_V259
    unknown = sorted(set(req.GET) - known)
    if unknown:
        raise exception.Invalid(f"Invalid input for query parameters {unknown[0]}. "
                                "Additional properties are not allowed "
                                f"('{unknown[0]}' was unexpected)")
