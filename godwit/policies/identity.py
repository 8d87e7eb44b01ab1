"""Rules for the built-in Keystone v3 subset (``/identity/v3``).

Targets: ``project_id`` for project reads, ``user_id`` for user reads and for tokens (the
user the token belongs to).
"""
from oslo_policy import policy

from godwit.policies import base

SELF_OR_ADMIN = f"{base.ADMIN} or user_id:%(user_id)s"


def _rule(name, check_str, description, method, path):
    return policy.DocumentedRuleDefault(
        name=f"identity:{name}", check_str=check_str, description=description,
        operations=[{"method": method, "path": f"/identity/v3{path}"}])


RULES = [
    _rule("validate_token", SELF_OR_ADMIN, "Validate a token (admins: any token).",
          "GET", "/auth/tokens"),
    _rule("check_token", SELF_OR_ADMIN, "Check a token (admins: any token).",
          "HEAD", "/auth/tokens"),
    _rule("revoke_token", SELF_OR_ADMIN, "Revoke a token (admins: any token).",
          "DELETE", "/auth/tokens"),
    _rule("get_user", SELF_OR_ADMIN, "Show a user.", "GET", "/users/{user_id}"),
    _rule("list_user_projects", SELF_OR_ADMIN, "List the projects a user has a role on.",
          "GET", "/users/{user_id}/projects"),
    _rule("list_projects", base.ADMIN,
          "List every project. Callers this rule denies see only their own projects.",
          "GET", "/projects"),
    _rule("get_project", base.PROJECT_READER, "Show a project.", "GET", "/projects/{project_id}"),
    _rule("list_roles", base.ADMIN, "List the roles.", "GET", "/roles"),
    _rule("get_domain", base.ANY_AUTHENTICATED, "Show the default domain.",
          "GET", "/domains/{domain_id}"),
    _rule("list_domains", base.ANY_AUTHENTICATED, "List the domains (only the default one).",
          "GET", "/domains"),
]


def list_rules():
    return RULES
