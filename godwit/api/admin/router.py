"""The admin API app mounted at ``/admin``, and its routes."""
from godwit.api.admin import (
    flush,
    ha,
    hierarchy,
    hypervisor_capabilities,
    migrations,
    security_groups,
    server_create,
    servers,
    versions,
    vms,
)
from godwit.api.openstack import common
from godwit.compute import api as compute

PUBLIC_PATHS = ("/v1", "/v1/")


def routes(compute_api):
    """[(path, controller, {method: action})]."""
    version = versions.VersionController()
    server = servers.ServersController(compute_api)
    migration = migrations.MigrationsController(compute_api)
    return [
        ("/v1", version, {"GET": "show"}),
        ("/v1/", version, {"GET": "show"}),
        ("/v1/servers", server_create.ServerCreateController(compute_api), {"POST": "create"}),
        ("/v1/servers/{id}/resize", server, {"POST": "resize"}),
        ("/v1/servers/{id}/cold-migrate", server, {"POST": "cold_migrate"}),
        ("/v1/servers/{id}/confirm-resize", server, {"POST": "confirm_resize"}),
        ("/v1/servers/{id}/revert-resize", server, {"POST": "revert_resize"}),
        ("/v1/servers/{id}/migrations", server, {"GET": "migrations"}),
        ("/v1/servers/{id}/migration-hosts", server, {"GET": "migration_hosts"}),
        ("/v1/servers/{id}/migrate", server, {"POST": "live_migrate"}),
        *vm_routes(compute_api),
        ("/v1/migrations", migration, {"GET": "index"}),
        ("/v1/migrations/{id}", migration, {"GET": "show"}),
        ("/v1/migrations/{id}/cancel", migration, {"POST": "cancel"}),
        *capability_routes(),
        *hierarchy.routes(compute_api),
        *flush_routes(compute_api),
        *ha_routes(compute_api),
        *security_group_routes(compute_api),
    ]


def vm_routes(compute_api):
    vm = vms.VMsController(compute_api)
    return [
        ("/v1/vms", vm, {"POST": "create"}),
        ("/v1/vms/{id}", vm, {"GET": "show"}),
        ("/v1/vms/{id}/meta", vm, {"POST": "meta"}),
    ]


def security_group_routes(compute_api):
    group = security_groups.SecurityGroupsController(compute_api)
    return [
        ("/v1/security-groups", group, {"GET": "index", "POST": "create"}),
        ("/v1/security-groups/{id}", group, {"GET": "show", "DELETE": "delete"}),
        ("/v1/security-groups/{id}/rules", group, {"GET": "rules", "POST": "create_rule"}),
        ("/v1/security-groups/{id}/rules/{rule_id}", group, {"DELETE": "delete_rule"}),
    ]


def flush_routes(compute_api):
    """A host's flush, unflush and flush progress (``godwit.api.admin.flush``)."""
    controller = flush.FlushController(compute_api)
    return [
        ("/v1/hosts/{id}/flush", controller, {"GET": "show", "POST": "flush"}),
        ("/v1/hosts/{id}/unflush", controller, {"POST": "unflush"}),
    ]


def ha_routes(compute_api):
    controller = ha.HAController(compute_api)
    return [
        ("/v1/ha/events", controller, {"GET": "events"}),
        ("/v1/hosts/{id}/unfence", controller, {"POST": "unfence"}),
    ]


def capability_routes():
    """``lookup`` comes before ``{id}``, which would otherwise match it."""
    capability = hypervisor_capabilities.HypervisorCapabilitiesController()
    return [
        ("/v1/hypervisor-capabilities", capability, {"GET": "index", "POST": "create"}),
        ("/v1/hypervisor-capabilities/lookup", capability, {"GET": "lookup"}),
        ("/v1/hypervisor-capabilities/{id}", capability,
         {"GET": "show", "PATCH": "update", "DELETE": "delete"}),
    ]


def create_app(auth_middleware=None, compute_api=None):
    """The WSGI app to mount at ``/admin``; ``auth_middleware`` wraps all but the version
    document. ``compute_api`` defaults to ``godwit.compute.api.API()``."""
    router = common.ValidQueryString(common.build_router(routes(compute_api or compute.API())))
    protected = auth_middleware(router) if auth_middleware is not None else router
    return common.PublicPaths(PUBLIC_PATHS, router, protected)
