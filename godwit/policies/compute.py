"""Rules for the compute API (``/v2.1``), under Nova's names so Nova policy files carry over.

Readers may look, members may act on their project's servers, admins may do anything.
Per-server rules get the server's ``project_id`` as target; the rest the caller's own.
"""
from oslo_policy import policy

from godwit.policies import base

PREFIX = "os_compute_api:"


def _rule(name, check_str, description, *operations):
    return policy.DocumentedRuleDefault(
        name=PREFIX + name, check_str=check_str, description=description,
        operations=[{"method": method, "path": f"/v2.1{path}"} for method, path in operations])


RULES = [
    _rule("servers:index", base.PROJECT_READER, "List servers.", ("GET", "/servers")),
    _rule("servers:detail", base.PROJECT_READER, "List servers with details.",
          ("GET", "/servers/detail")),
    _rule("servers:index:get_all_tenants", base.ADMIN, "List servers of every project.",
          ("GET", "/servers")),
    _rule("servers:detail:get_all_tenants", base.ADMIN,
          "List servers of every project with details.", ("GET", "/servers/detail")),
    _rule("servers:allow_all_filters", base.ADMIN,
          "Filter server lists by host, node, user, project and the other admin-only filters.",
          ("GET", "/servers"), ("GET", "/servers/detail")),
    _rule("servers:show", base.PROJECT_READER, "Show a server.", ("GET", "/servers/{id}")),
    _rule("servers:show:host_status", base.ADMIN,
          "Show host_status (microversion 2.16) in server views.",
          ("GET", "/servers/{id}"), ("GET", "/servers/detail")),
    _rule("servers:create", base.PROJECT_MEMBER, "Create servers.", ("POST", "/servers")),
    # Nova's name for this rule has no os_compute_api prefix.
    policy.DocumentedRuleDefault(
        name="compute:servers:create:requested_destination", check_str=base.ADMIN,
        description="Create servers on a named host (host, hypervisor_hostname: 2.74).",
        operations=[{"method": "POST", "path": "/v2.1/servers"}]),
    _rule("servers:create:node_limit", base.ADMIN,
          "Create servers with the godwit:node_limit metadata key (the hosts a server may "
          "run on); the other placement keys are for every creator.", ("POST", "/servers")),
    _rule("servers:delete", base.PROJECT_MEMBER, "Delete a server.",
          ("DELETE", "/servers/{id}")),
    _rule("servers:start", base.PROJECT_MEMBER, "Start a server (os-start).",
          ("POST", "/servers/{id}/action")),
    _rule("servers:stop", base.PROJECT_MEMBER, "Stop a server (os-stop).",
          ("POST", "/servers/{id}/action")),
    _rule("servers:reboot", base.PROJECT_MEMBER, "Reboot a server.",
          ("POST", "/servers/{id}/action")),
    _rule("os-suspend-server:suspend", base.PROJECT_MEMBER,
          "Suspend a server (its memory saved to disk).", ("POST", "/servers/{id}/action")),
    _rule("os-suspend-server:resume", base.PROJECT_MEMBER, "Resume a suspended server.",
          ("POST", "/servers/{id}/action")),
    _rule("servers:resize", base.PROJECT_MEMBER, "Resize a server to another flavor.",
          ("POST", "/servers/{id}/action")),
    _rule("servers:confirm_resize", base.PROJECT_MEMBER,
          "Confirm a resize or cold migration (confirmResize).",
          ("POST", "/servers/{id}/action")),
    _rule("servers:revert_resize", base.PROJECT_MEMBER,
          "Revert a resize or cold migration (revertResize).",
          ("POST", "/servers/{id}/action")),
    _rule("os-migrate-server:migrate", base.ADMIN, "Cold migrate a server (migrate).",
          ("POST", "/servers/{id}/action")),
    _rule("os-migrate-server:migrate:host", base.ADMIN,
          "Cold migrate a server to a host of the caller's choice (migrate, 2.56).",
          ("POST", "/servers/{id}/action")),
    _rule("os-migrate-server:migrate_live", base.ADMIN,
          "Live migrate a server inside its cluster (os-migrateLive).",
          ("POST", "/servers/{id}/action")),
    _rule("os-migrations:index", base.ADMIN, "List migrations.", ("GET", "/os-migrations")),
    _rule("servers:migrations:index", base.ADMIN,
          "List a server's migrations in progress (2.23).",
          ("GET", "/servers/{server_id}/migrations")),
    _rule("servers:migrations:show", base.ADMIN,
          "Show a server's migration in progress (2.23).",
          ("GET", "/servers/{server_id}/migrations/{migration_id}")),
    _rule("servers:migrations:delete", base.ADMIN,
          "Abort (cancel) a server's migration in progress (2.24).",
          ("DELETE", "/servers/{server_id}/migrations/{migration_id}")),
    _rule("os-extended-server-attributes", base.ADMIN,
          "Show OS-EXT-SRV-ATTR:* (host, hypervisor, instance name, ...) in server views.",
          ("GET", "/servers/{id}"), ("GET", "/servers/detail")),
    _rule("os-flavor-manage:create", base.ADMIN, "Create a flavor.", ("POST", "/flavors")),
    _rule("os-flavor-manage:update", base.ADMIN, "Update a flavor's description (2.55).",
          ("PUT", "/flavors/{id}")),
    _rule("os-flavor-manage:delete", base.ADMIN, "Delete a flavor.",
          ("DELETE", "/flavors/{id}")),
    _rule("os-flavor-extra-specs:index", base.PROJECT_READER,
          "Show flavor extra specs (also inside servers' embedded flavors, 2.47).",
          ("GET", "/flavors/{id}/os-extra_specs"), ("GET", "/flavors/{id}/os-extra_specs/{key}")),
    _rule("os-hypervisors:list", base.ADMIN, "List hypervisors.", ("GET", "/os-hypervisors")),
    _rule("os-hypervisors:list-detail", base.ADMIN, "List hypervisors with details.",
          ("GET", "/os-hypervisors/detail")),
    _rule("os-hypervisors:show", base.ADMIN, "Show a hypervisor.",
          ("GET", "/os-hypervisors/{id}")),
    _rule("os-hypervisors:statistics", base.ADMIN, "Show the sum over all hypervisors.",
          ("GET", "/os-hypervisors/statistics")),
    _rule("os-hypervisors:uptime", base.ADMIN, "Show a hypervisor's uptime.",
          ("GET", "/os-hypervisors/{id}/uptime")),
    _rule("os-hypervisors:search", base.ADMIN, "Search hypervisors by name (before 2.53).",
          ("GET", "/os-hypervisors/{hypervisor_hostname_pattern}/search")),
    _rule("os-hypervisors:servers", base.ADMIN,
          "List the servers of matching hypervisors (before 2.53).",
          ("GET", "/os-hypervisors/{hypervisor_hostname_pattern}/servers")),
    _rule("os-services:list", base.ADMIN, "List services.", ("GET", "/os-services")),
    _rule("os-services:update", base.ADMIN, "Enable, disable or force down a service.",
          ("PUT", "/os-services/{id}"), ("PUT", "/os-services/enable"),
          ("PUT", "/os-services/disable"), ("PUT", "/os-services/disable-log-reason"),
          ("PUT", "/os-services/force-down")),
    _rule("os-availability-zone:list", base.ANY_AUTHENTICATED, "List availability zones.",
          ("GET", "/os-availability-zone")),
    _rule("os-availability-zone:detail", base.ADMIN,
          "List availability zones with their hosts and services.",
          ("GET", "/os-availability-zone/detail")),
    _rule("os-aggregates:index", base.ADMIN, "List host aggregates (godwit's clusters).",
          ("GET", "/os-aggregates")),
    _rule("limits", base.ANY_AUTHENTICATED, "Show the caller's project limits and usage.",
          ("GET", "/limits")),
    _rule("limits:other_project", base.ADMIN,
          "Show another project's limits (GET /limits?tenant_id=...).", ("GET", "/limits")),
]


def list_rules():
    return RULES
