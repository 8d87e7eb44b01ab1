"""Default rules: readers look, members act in their project, admins do everything."""
import os
import subprocess
import sys

from godwit import context as godwit_context
from godwit import policy
from godwit.policies import admin, compute, image

READ = ("servers:index", "servers:detail", "servers:show", "os-flavor-extra-specs:index")
ACT = ("servers:create", "servers:delete", "servers:start", "servers:stop", "servers:reboot",
       "os-suspend-server:suspend", "os-suspend-server:resume",
       "servers:resize", "servers:confirm_resize", "servers:revert_resize")
ANYONE = ("os-availability-zone:list", "limits")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _who_may(rule, target_project="p1", prefix=compute.PREFIX):
    callers = {"admin": ("p0", ["admin"]), "member": ("p1", ["member"]),
               "reader": ("p1", ["reader"]), "stranger": ("p2", ["member", "reader"])}
    return {name for name, (project, roles) in callers.items()
            if policy.check(godwit_context.RequestContext(user_id="u", project_id=project,
                                                          roles=roles),
                            prefix + rule, {"project_id": target_project})}


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
        assert _who_may(name, prefix="") == {"admin"}, name


def test_image_rules_let_anyone_authenticated_look():
    context = godwit_context.RequestContext(user_id="u", project_id="p9", roles=["reader"])
    assert [rule.name for rule in image.list_rules()] == ["get_images", "get_image"]
    assert all(policy.check(context, rule.name) for rule in image.list_rules())


def test_migrating_and_the_admin_api_are_for_admins():
    for rule in ("os-migrate-server:migrate", "os-migrate-server:migrate:host",
                 "os-migrations:index", "servers:migrations:index",
                 "servers:migrations:show", "servers:migrations:delete"):
        assert _who_may(rule) == {"admin"}, rule
    names = [rule.name for rule in admin.list_rules()]
    assert names and all(name.startswith(admin.PREFIX) for name in names)
    for name in names:
        if name[len(admin.PREFIX):] in ADMIN_API_ANYONE:
            continue
        assert _who_may(name[len(admin.PREFIX):], prefix=admin.PREFIX) == {"admin"}, name


# Looking at zones is for anyone (who then sees Enabled zones only; zones:disabled is not).
ADMIN_API_ANYONE = ("zones:index", "zones:show")


def test_anyone_may_look_at_zones_only_admins_at_disabled_ones():
    for rule in ADMIN_API_ANYONE:
        assert _who_may(rule, prefix=admin.PREFIX) == {"admin", "member", "reader",
                                                       "stranger"}, rule
    for rule in ("zones:disabled", "zones:create", "zones:update", "zones:delete",
                 "pods:index", "clusters:show", "hosts:update"):
        assert _who_may(rule, prefix=admin.PREFIX) == {"admin"}, rule


def test_policy_sample_is_current(tmp_path):
    output = tmp_path / "policy.yaml.sample"
    subprocess.run([os.path.join(os.path.dirname(sys.executable),
                                 "oslopolicy-sample-generator"),
                    "--namespace", "godwit", "--output-file", str(output)],
                   check=True, capture_output=True)
    with open(os.path.join(ROOT, "etc", "godwit", "policy.yaml.sample")) as committed:
        assert output.read_text() == committed.read(), \
            "etc/godwit/policy.yaml.sample is stale: run `make config-sample`"
