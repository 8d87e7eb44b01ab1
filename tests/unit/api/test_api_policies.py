"""Default rules: readers look, members act in their project, admins do everything."""

from godwit import context as godwit_context
from godwit import policy
from godwit.policies import compute, image

READ = ("servers:index", "servers:detail", "servers:show", "os-flavor-extra-specs:index")
ACT = ("servers:create", "servers:delete", "servers:start", "servers:stop", "servers:reboot")
ANYONE = ("os-availability-zone:list", "limits")


def _who_may(rule, target_project="p1"):
    callers = {"admin": ("p0", ["admin"]), "member": ("p1", ["member"]),
               "reader": ("p1", ["reader"]), "stranger": ("p2", ["member", "reader"])}
    return {name for name, (project, roles) in callers.items()
            if policy.check(godwit_context.RequestContext(user_id="u", project_id=project,
                                                          roles=roles),
                            compute.PREFIX + rule, {"project_id": target_project})}


def test_every_rule_has_its_default():
    names = {rule.name for rule in compute.list_rules()}
    expected_readers = {"admin", "member", "reader"}
    for rule in READ:
        assert _who_may(rule) == expected_readers, rule
    for rule in ACT:
        assert _who_may(rule) == {"admin", "member"}, rule
    for rule in ANYONE:
        assert _who_may(rule) == {"admin", "member", "reader", "stranger"}, rule
    admin_only = names - {compute.PREFIX + rule for rule in READ + ACT + ANYONE}
    for name in admin_only:
        assert _who_may(name[len(compute.PREFIX):]) == {"admin"}, name


def test_image_rules_let_anyone_authenticated_look():
    context = godwit_context.RequestContext(user_id="u", project_id="p9", roles=["reader"])
    assert [rule.name for rule in image.list_rules()] == ["get_images", "get_image"]
    assert all(policy.check(context, rule.name) for rule in image.list_rules())
