"""Rules for the admin API (``/admin/v1``): every route is for cloud administrators."""
from oslo_policy import policy

from godwit.policies import base

PREFIX = "godwit_admin:"


def _rule(name, description, method, path):
    return policy.DocumentedRuleDefault(
        name=PREFIX + name, check_str=base.ADMIN, description=description,
        operations=[{"method": method, "path": f"/admin/v1{path}"}])


RULES = [
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
    _rule("migrations:index", "List migrations.", "GET", "/migrations"),
    _rule("migrations:show", "Show a migration.", "GET", "/migrations/{id}"),
    _rule("migrations:cancel", "Cancel a migration that has not reached post-migrating.",
          "POST", "/migrations/{id}/cancel"),
]


def list_rules():
    return RULES
