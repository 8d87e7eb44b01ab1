"""The compute API app (everything under ``/v2.1``) and its routes."""
from godwit.api import wsgi
from godwit.api.openstack import common, microversion, versions
from godwit.api.openstack.compute import (
    aggregates,
    availability_zones,
    flavor_manage,
    flavors,
    hypervisors,
    limits,
    migrations,
    security_groups,
    server_actions,
    server_migrations,
    servers,
    services,
)
from godwit.compute import api as compute


def routes(compute_api):
    """[(path, controller, {method: action})], in matching order ("detail" before "{id}")."""
    version = versions.V21VersionController()
    server = servers.ServersController(compute_api)
    flavor = flavors.FlavorsController()
    flavor_admin = flavor_manage.FlavorManageController()
    hypervisor = hypervisors.HypervisorsController(compute_api)
    service = services.ServicesController(compute_api)
    zone = availability_zones.AvailabilityZonesController()
    server_migration = server_migrations.ServerMigrationsController(compute_api)
    return [
        ("", version, {"GET": "show"}),
        ("/", version, {"GET": "show"}),
        ("/servers", server, {"GET": "index", "POST": "create"}),
        ("/servers/detail", server, {"GET": "detail"}),
        ("/servers/{id}", server, {"GET": "show", "DELETE": "delete"}),
        ("/servers/{id}/action", server_actions.ServerActionsController(compute_api),
         {"POST": "action"}),
        ("/servers/{server_id}/migrations", server_migration, {"GET": "index"}),
        ("/servers/{server_id}/migrations/{migration_id}", server_migration,
         {"GET": "show", "DELETE": "delete"}),
        ("/os-migrations", migrations.MigrationsController(compute_api), {"GET": "index"}),
        *security_group_routes(compute_api),
        ("/flavors", flavor, {"GET": "index"}),
        ("/flavors", flavor_admin, {"POST": "create"}),
        ("/flavors/detail", flavor, {"GET": "detail"}),
        ("/flavors/{id}", flavor, {"GET": "show"}),
        ("/flavors/{id}", flavor_admin, {"PUT": "update", "DELETE": "delete"}),
        ("/flavors/{id}/os-extra_specs", flavor, {"GET": "extra_specs"}),
        ("/flavors/{id}/os-extra_specs/{key}", flavor, {"GET": "extra_spec"}),
        ("/os-hypervisors", hypervisor, {"GET": "index"}),
        ("/os-hypervisors/detail", hypervisor, {"GET": "detail"}),
        ("/os-hypervisors/statistics", hypervisor, {"GET": "statistics"}),
        ("/os-hypervisors/{id}", hypervisor, {"GET": "show"}),
        ("/os-hypervisors/{id}/uptime", hypervisor, {"GET": "uptime"}),
        ("/os-hypervisors/{pattern}/search", hypervisor, {"GET": "search"}),
        ("/os-hypervisors/{pattern}/servers", hypervisor, {"GET": "servers"}),
        ("/os-services", service, {"GET": "index"}),
        ("/os-services/enable", service, {"PUT": "enable"}),
        ("/os-services/disable", service, {"PUT": "disable"}),
        ("/os-services/disable-log-reason", service, {"PUT": "disable_log_reason"}),
        ("/os-services/force-down", service, {"PUT": "force_down"}),
        ("/os-services/{id}", service, {"PUT": "update"}),
        ("/os-availability-zone", zone, {"GET": "index"}),
        ("/os-availability-zone/detail", zone, {"GET": "detail"}),
        ("/os-aggregates", aggregates.AggregatesController(), {"GET": "index"}),
        ("/limits", limits.LimitsController(), {"GET": "index"}),
    ]


def security_group_routes(compute_api):
    """Nova's security group proxy API (see security_groups for why at every version)."""
    group = security_groups.SecurityGroupsController(compute_api)
    rule = security_groups.SecurityGroupRulesController(compute_api)
    return [
        ("/os-security-groups", group, {"GET": "index", "POST": "create"}),
        ("/os-security-groups/{id}", group, {"GET": "show", "PUT": "update",
                                             "DELETE": "delete"}),
        ("/os-security-group-rules", rule, {"POST": "create"}),
        ("/os-security-group-rules/{id}", rule, {"DELETE": "delete"}),
        ("/servers/{server_id}/os-security-groups",
         security_groups.ServerSecurityGroupsController(compute_api),
         {"GET": "index"}),
    ]


class ProjectIdPrefix:
    """Nova's optional project id in the path: ``/v2.1/{project_id}/servers`` is
    ``/v2.1/servers`` when the id is the caller's own project."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        context = environ.get(wsgi.CONTEXT_KEY)
        path = environ.get("PATH_INFO", "")
        if context is not None and context.project_id:
            prefix = "/" + context.project_id
            if path == prefix or path.startswith(prefix + "/"):
                environ["PATH_INFO"] = path[len(prefix):] or "/"
        return self.app(environ, start_response)


def create_app(auth_middleware=None, compute_api=None):
    """The WSGI app to mount at ``/v2.1`` (SCRIPT_NAME ``/v2.1``).

    ``auth_middleware`` (e.g. ``godwit.api.middleware.auth.AuthMiddleware``) wraps every route
    but the version document; without it the caller must put the RequestContext in
    ``environ[CONTEXT_KEY]`` (tests). ``compute_api`` defaults to ``godwit.compute.api.API()``.
    """
    router = common.ValidQueryString(common.build_router(routes(compute_api or compute.API())))
    versioned = microversion.MicroversionMiddleware(router)
    protected = ProjectIdPrefix(versioned)
    if auth_middleware is not None:
        protected = auth_middleware(protected)
    return common.PublicPaths(("", "/"), versioned, protected)
