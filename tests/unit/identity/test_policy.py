import pytest
from oslo_policy import policy as oslo_policy

from godwit import context, exception, policy
from godwit.conf import CONF

P1, P2 = "p1-id", "p2-id"


def ctx(role, project_id=P1, user_id="u1"):
    return context.RequestContext(user_id=user_id, project_id=project_id, roles=[role],
                                  overwrite=False)


@pytest.mark.parametrize("role, project_id, rule, allowed", [
    ("admin", P2, "project_reader_api", True),
    ("admin", P2, "project_member_api", True),
    ("admin", P2, "admin_api", True),
    ("member", P1, "project_reader_api", True),
    ("member", P1, "project_member_api", True),
    ("member", P1, "admin_api", False),
    ("reader", P1, "project_reader_api", True),
    ("reader", P1, "project_member_api", False),
    ("member", P2, "project_reader_api", False),
    ("member", P2, "project_member_api", False),
    ("reader", P2, "project_reader_api", False),
])
def test_base_rules(role, project_id, rule, allowed):
    target = {"project_id": P1}
    assert policy.check(ctx(role, project_id), rule, target) is allowed


@pytest.mark.parametrize("role, project_id, allowed", [
    ("admin", P2, True), ("member", P1, True), ("reader", P1, True), ("member", P2, False),
])
def test_get_project(role, project_id, allowed):
    assert policy.check(ctx(role, project_id), "identity:get_project",
                        {"project_id": P1}) is allowed


def test_users_may_see_themselves_and_admins_anyone():
    assert policy.check(ctx("reader"), "identity:get_user", {"user_id": "u1"})
    assert not policy.check(ctx("member"), "identity:get_user", {"user_id": "u2"})
    assert policy.check(ctx("admin"), "identity:get_user", {"user_id": "u2"})


def test_authorize_raises_forbidden_naming_the_rule():
    with pytest.raises(exception.Forbidden, match="identity:list_roles"):
        policy.authorize(ctx("member"), "identity:list_roles")
    assert policy.authorize(ctx("admin"), "identity:list_roles")


def test_default_target_is_the_callers_own_project():
    assert policy.authorize(ctx("member"), "project_member_api")
    assert policy.authorize(ctx("member", P2), "project_member_api")
    with pytest.raises(exception.Forbidden):
        policy.authorize(ctx("reader"), "project_member_api")


def test_unknown_rule_is_a_bug_not_a_refusal():
    with pytest.raises(oslo_policy.PolicyNotRegistered):
        policy.authorize(ctx("admin"), "identity:no_such_rule")


def test_policy_yaml_overrides_the_defaults(tmp_path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"identity:list_roles": "role:reader"\n')
    policy.get_enforcer()  # registers [oslo_policy]
    CONF.set_override("policy_file", str(policy_file), group="oslo_policy")
    try:
        policy.reset()
        assert policy.authorize(ctx("reader"), "identity:list_roles")
        assert not policy.check(ctx("admin"), "identity:list_roles")
    finally:
        CONF.clear_override("policy_file", group="oslo_policy")


def test_list_rules_has_base_and_identity_rules():
    names = {rule.name for rule in policy.list_rules()}
    assert {"admin_api", "project_member_api", "project_reader_api",
            "identity:get_project", "identity:list_projects"} <= names
