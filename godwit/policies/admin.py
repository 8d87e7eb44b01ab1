"""Rules for the admin API (``/admin/v1``): every route is for cloud administrators, except
looking at zones."""
from oslo_policy import policy

from godwit.policies import base

PREFIX = "godwit_admin:"


def _rule(name, description, method, path, check_str=base.ADMIN):
    return policy.DocumentedRuleDefault(
        name=PREFIX + name, check_str=check_str, description=description,
        operations=[{"method": method, "path": f"/admin/v1{path}"}])


def _placement_rules():
    """Zones, pods, clusters and hosts: anyone may look at zones (the Enabled ones, unless
    ``zones:disabled`` allows more), the rest is for admins."""
    rules = []
    for level, plural in (("zone", "zones"), ("pod", "pods"), ("cluster", "clusters"),
                          ("host", "hosts")):
        anyone = base.ANY_AUTHENTICATED if level == "zone" else base.ADMIN
        rules += [
            _rule(f"{plural}:index", f"List {plural}.", "GET", f"/{plural}", anyone),
            _rule(f"{plural}:show", f"Show a {level}.", "GET", f"/{plural}/{{id}}", anyone),
            _rule(f"{plural}:create", f"Create a {level}.", "POST", f"/{plural}"),
            _rule(f"{plural}:update", f"Change a {level}.", "PATCH", f"/{plural}/{{id}}"),
            _rule(f"{plural}:delete", f"Delete a {level}.", "DELETE", f"/{plural}/{{id}}"),
        ]
    rules.append(policy.DocumentedRuleDefault(
        name=PREFIX + "zones:disabled", check_str=base.ADMIN,
        description="See disabled zones, and still create servers (and later images, "
                    "volumes, snapshots) in them.",
        operations=[{"method": "GET", "path": "/admin/v1/zones"},
                    {"method": "GET", "path": "/admin/v1/zones/{id}"},
                    {"method": "GET", "path": "/v2.1/os-availability-zone"},
                    {"method": "POST", "path": "/v2.1/servers"}]))
    return rules


RULES = [
    _rule("servers:create", "Create a server, optionally on a named host (host_id).",
          "POST", "/servers"),
    _rule("servers:resize", "Resize a server, optionally onto a chosen host.",
          "POST", "/servers/{id}/resize"),
    _rule("servers:cold_migrate", "Cold migrate a server, optionally to a chosen host.",
          "POST", "/servers/{id}/cold-migrate"),
    _rule("servers:confirm_resize", "Confirm a server's resize or cold migration.",
          "POST", "/servers/{id}/confirm-resize"),
    _rule("servers:revert_resize", "Revert a server's resize or cold migration.",
          "POST", "/servers/{id}/revert-resize"),
    _rule("servers:migrations", "List every migration of a server.",
          "GET", "/servers/{id}/migrations"),
    _rule("servers:migration_hosts", "List the hosts of a server's cluster it could be "
          "live-migrated to.", "GET", "/servers/{id}/migration-hosts"),
    _rule("servers:live_migrate", "Live-migrate a server to another host of its cluster.",
          "POST", "/servers/{id}/migrate"),
    _rule("vms:create", "Create VMs from a definition, with their placement metadata.",
          "POST", "/vms"),
    _rule("vms:show", "Show a VM with its placement metadata and previous_host.",
          "GET", "/vms/{id}"),
    _rule("vms:meta", "Change a VM's placement metadata.", "POST", "/vms/{id}/meta"),
    _rule("hosts:flush", "Flush a host: move every instance away (or, as a dry run, show "
          "the plan).", "POST", "/hosts/{id}/flush"),
    _rule("hosts:unflush", "Unflush a host: bring its instances back.",
          "POST", "/hosts/{id}/unflush"),
    _rule("hosts:flush_status", "Show a host's maintenance state and flush progress.",
          "GET", "/hosts/{id}/flush"),
    _rule("hosts:unfence", "Declare a fenced host healthy again (maintenance state ready).",
          "POST", "/hosts/{id}/unfence"),
    _rule("ha:events", "List the HA monitor's events (suspect, fence, recovery).",
          "GET", "/ha/events"),
    _rule("migrations:index", "List migrations.", "GET", "/migrations"),
    _rule("migrations:show", "Show a migration.", "GET", "/migrations/{id}"),
    _rule("migrations:cancel", "Cancel a migration that has not reached post-migrating.",
          "POST", "/migrations/{id}/cancel"),
    _rule("hypervisor_capabilities:index", "List hypervisor capabilities.",
          "GET", "/hypervisor-capabilities"),
    _rule("hypervisor_capabilities:create", "Create a hypervisor capability.",
          "POST", "/hypervisor-capabilities"),
    _rule("hypervisor_capabilities:lookup",
          "Show the hypervisor capability that applies to a hypervisor type and version.",
          "GET", "/hypervisor-capabilities/lookup"),
    _rule("hypervisor_capabilities:show", "Show a hypervisor capability.",
          "GET", "/hypervisor-capabilities/{id}"),
    _rule("hypervisor_capabilities:update", "Change a hypervisor capability.",
          "PATCH", "/hypervisor-capabilities/{id}"),
    _rule("hypervisor_capabilities:delete", "Delete a hypervisor capability.",
          "DELETE", "/hypervisor-capabilities/{id}"),
    *_placement_rules(),
]


def list_rules():
    return RULES
