"""``POST /servers/{id}/action``: resize, confirmResize, revertResize and migrate: their
bodies, codes, microversions and rules."""
import pytest

from godwit import exception
from tests.unit.api.conftest import OTHER_SERVER, SERVER

ACTION = f"/servers/{SERVER}/action"


@pytest.mark.parametrize("body, code, made", [
    ({"resize": {"flavorRef": "2"}}, 202, ("resize", (SERVER, "2"), {})),
    ({"resize": {"flavorRef": "http://h/v2.1/flavors/3", "OS-DCF:diskConfig": "AUTO"}}, 202,
     ("resize", (SERVER, "3"), {})),
    ({"resize": {"flavorRef": 4}}, 202, ("resize", (SERVER, "4"), {})),
    ({"confirmResize": None}, 204, ("confirm_resize", (SERVER,), {})),
    ({"revertResize": None}, 202, ("revert_resize", (SERVER,), {})),
])
def test_member_actions_and_their_codes(call, compute_api, body, code, made):
    resp = call("POST", ACTION, body)
    assert resp.status_code == code, resp.text
    assert resp.body == b""
    assert compute_api.calls == [made]


@pytest.mark.parametrize("body, field", [
    ({"resize": {}}, "'flavorRef' is a required property"),
    ({"resize": {"flavorRef": ""}}, "field/attribute flavorRef"),
    ({"resize": {"flavorRef": None}}, "field/attribute flavorRef"),
    ({"resize": {"flavorRef": "2", "OS-DCF:diskConfig": "auto"}},
     "field/attribute OS-DCF:diskConfig"),
    ({"resize": {"flavorRef": "2", "size": 1}}, "field/attribute resize"),
    ({"resize": None}, "field/attribute resize"),
    ({"confirmResize": {"now": True}}, "field/attribute confirmResize"),
    ({"revertResize": 1}, "field/attribute revertResize"),
    ({"migrate": {"host": ""}}, "field/attribute host"),
    ({"migrate": {"host": 5}}, "field/attribute host"),
    ({"migrate": {"host": "h" * 256}}, "field/attribute host"),
    ({"migrate": {"host": "h2", "force": True}}, "field/attribute migrate"),
    ({"migrate": "h2"}, "field/attribute migrate"),
])
def test_bad_bodies_name_the_field(call, compute_api, body, field):
    resp = call("POST", ACTION, body, version="2.56", roles=("admin",))
    assert resp.status_code == 400
    assert field in resp.json["badRequest"]["message"]
    assert compute_api.calls == []


@pytest.mark.parametrize("body", [{"migrate": None}, {"migrate": {}}])
def test_admin_migrates_without_a_host_at_any_version(call, compute_api, body):
    for version in ("2.1", "2.56"):
        assert call("POST", ACTION, body, version=version, roles=("admin",)).status_code == 202
    assert compute_api.calls == [("migrate", (SERVER,), {"host": None})] * 2


def test_a_host_needs_2_56(call, compute_api):
    body = {"migrate": {"host": "h2"}}
    resp = call("POST", ACTION, body, version="2.55", roles=("admin",))
    assert resp.status_code == 400
    assert "('host' was unexpected)" in resp.json["badRequest"]["message"]
    assert call("POST", ACTION, body, version="2.56", roles=("admin",)).status_code == 202
    assert call("POST", ACTION, {"migrate": {"host": None}}, version="2.56",
                roles=("admin",)).status_code == 202
    assert compute_api.calls == [("migrate", (SERVER,), {"host": "h2"}),
                                 ("migrate", (SERVER,), {"host": None})]


@pytest.mark.parametrize("body", [{"migrate": None}, {"migrate": {"host": "h2"}}])
def test_members_may_not_migrate(call, compute_api, body):
    resp = call("POST", ACTION, body, version="2.56")
    assert resp.status_code == 403
    assert compute_api.calls == []


def test_the_host_rule_is_checked_only_with_a_host(call, compute_api, tmp_path):
    from godwit import policy
    from godwit.conf import CONF
    rules = tmp_path / "policy.yaml"
    rules.write_text('"os_compute_api:os-migrate-server:migrate": "role:member"\n')
    CONF.set_override("policy_file", str(rules), group="oslo_policy")
    policy.reset()
    try:
        assert call("POST", ACTION, {"migrate": None}, version="2.56").status_code == 202
        assert call("POST", ACTION, {"migrate": {"host": "h2"}},
                    version="2.56").status_code == 403
    finally:
        CONF.clear_override("policy_file", group="oslo_policy")
    assert compute_api.calls == [("migrate", (SERVER,), {"host": None})]


def test_another_projects_server_is_not_found(call, compute_api):
    for body in ({"resize": {"flavorRef": "2"}}, {"confirmResize": None},
                 {"migrate": None}):
        assert call("POST", f"/servers/{OTHER_SERVER}/action", body).status_code == 404
    assert compute_api.calls == []


@pytest.mark.parametrize("error, code", [
    (exception.Invalid("Unable to resize: Flavor 9 could not be found."), 400),
    (exception.InstanceNotFound(instance_id=SERVER), 404),
    (exception.InstanceInvalidState(action="resize", instance_uuid=SERVER, attr="vm_state",
                                    state="stopped"), 409),
    (exception.Conflict("locked"), 409),
    (exception.QuotaExceeded(resource="cores", requested=2, used=1, allowed=2), 403),
])
def test_compute_errors_become_fault_bodies(call, compute_api, error, code):
    compute_api.errors["resize"] = error
    compute_api.errors["migrate"] = error
    assert call("POST", ACTION, {"resize": {"flavorRef": "9"}}).status_code == code
    resp = call("POST", ACTION, {"migrate": {"host": "h9"}}, version="2.56", roles=("admin",))
    assert resp.status_code == code
    assert len(resp.json) == 1


def test_unknown_actions_are_still_refused(call):
    resp = call("POST", ACTION, {"os-resetState": {"state": "active"}})
    assert resp.status_code == 400
    assert resp.json["badRequest"]["message"] == "There is no such action: os-resetState"
