"""Rules for security groups: Nova's names on the compute API (readers look, members change
their project's groups and servers), ``godwit_admin:security_groups:*`` on the admin API."""
from godwit.policies import base
from godwit.policies.admin import _rule as _admin_rule
from godwit.policies.compute import _rule

_GROUP = "os-security-groups:"

RULES = [
    _rule(_GROUP + "get", base.PROJECT_READER, "List security groups.",
          ("GET", "/os-security-groups")),
    _rule(_GROUP + "show", base.PROJECT_READER, "Show a security group.",
          ("GET", "/os-security-groups/{security_group_id}")),
    _rule(_GROUP + "create", base.PROJECT_MEMBER, "Create a security group.",
          ("POST", "/os-security-groups")),
    _rule(_GROUP + "update", base.PROJECT_MEMBER, "Rename or describe a security group.",
          ("PUT", "/os-security-groups/{security_group_id}")),
    _rule(_GROUP + "delete", base.PROJECT_MEMBER, "Delete a security group.",
          ("DELETE", "/os-security-groups/{security_group_id}")),
    _rule(_GROUP + "rule:create", base.PROJECT_MEMBER, "Add a rule to a security group.",
          ("POST", "/os-security-group-rules")),
    _rule(_GROUP + "rule:delete", base.PROJECT_MEMBER, "Delete a security group rule.",
          ("DELETE", "/os-security-group-rules/{security_group_rule_id}")),
    _rule(_GROUP + "list", base.PROJECT_READER, "List the security groups of a server.",
          ("GET", "/servers/{server_id}/os-security-groups")),
    _rule(_GROUP + "add", base.PROJECT_MEMBER, "Add a server to a security group.",
          ("POST", "/servers/{server_id}/action (addSecurityGroup)")),
    _rule(_GROUP + "remove", base.PROJECT_MEMBER, "Remove a server from a security group.",
          ("POST", "/servers/{server_id}/action (removeSecurityGroup)")),
    _admin_rule("security_groups:index", "List the security groups of every project.",
                "GET", "/security-groups"),
    _admin_rule("security_groups:show", "Show a security group.",
                "GET", "/security-groups/{id}"),
    _admin_rule("security_groups:create", "Create a security group for a project.",
                "POST", "/security-groups"),
    _admin_rule("security_groups:delete", "Delete a security group.",
                "DELETE", "/security-groups/{id}"),
    _admin_rule("security_groups:rules", "List a security group's rules.",
                "GET", "/security-groups/{id}/rules"),
    _admin_rule("security_groups:rule_create", "Add a rule to a security group.",
                "POST", "/security-groups/{id}/rules"),
    _admin_rule("security_groups:rule_delete", "Delete a security group rule.",
                "DELETE", "/security-groups/{id}/rules/{rule_id}"),
]


def list_rules():
    return RULES
