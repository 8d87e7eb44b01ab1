"""Check strings shared by every rule.

Roles: ``admin`` may do anything anywhere; ``member`` may act in its project; ``reader``
may only look in its project. Targets carry the resource's ``project_id``.
"""
from oslo_policy import policy

ADMIN = "rule:admin_api"
PROJECT_MEMBER = "rule:project_member_api"
PROJECT_READER = "rule:project_reader_api"
ANY_AUTHENTICATED = "@"

RULES = [
    policy.RuleDefault("admin_api", "role:admin", "Cloud administrators."),
    policy.RuleDefault("project_member_api",
                       "role:admin or (role:member and project_id:%(project_id)s)",
                       "Members of the target's project (and admins)."),
    policy.RuleDefault("project_reader_api",
                       "role:admin or ((role:reader or role:member) and "
                       "project_id:%(project_id)s)",
                       "Readers and members of the target's project (and admins)."),
]


def list_rules():
    return RULES
