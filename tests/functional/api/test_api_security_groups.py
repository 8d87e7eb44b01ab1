"""Security groups through the Compute API (Nova's proxy API) and the admin API: every rule
and error as an admin, a member, and a member of another project, and which hosts are told
to refresh their firewalls."""
import pytest

from godwit.db import models
from godwit.db.session import writer
from tests.functional.api.conftest import (
    ADMIN_PROJECT,
    OTHER_PROJECT,
    PROJECT,
    add_host,
    add_instance,
    count_rows,
    error_message,
    server_body,
)

MISSING = "0b7c6a5e-1d2f-4a3b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def admin_api(admin_api):
    """The admin API, with both test projects known to it."""
    with writer() as session:
        session.add_all([models.Project(id=project, name=project[:8])
                         for project in (PROJECT, OTHER_PROJECT)])
    return admin_api


def _group(api, name="web", user="member", description="web servers"):
    resp = api.post("/os-security-groups",
                    {"security_group": {"name": name, "description": description}}, user=user)
    assert resp.status_int == 200, resp.text
    return resp.json["security_group"]


def _rule(api, parent, user="member", **fields):
    body = {"parent_group_id": parent, "ip_protocol": "tcp", "from_port": 22,
            "to_port": 22, "cidr": "10.0.0.0/8", **fields}
    return api.post("/os-security-group-rules", {"security_group_rule": body}, user=user)


def _names(api, user="member", query=""):
    resp = api.get(f"/os-security-groups{query}", user=user)
    assert resp.status_int == 200, resp.text
    return sorted((group["tenant_id"], group["name"]) for group in resp.json["security_groups"])


def _refreshes(compute_rpc):
    return [(host, uuids) for method, host, uuids in compute_rpc.casts
            if method == "refresh_firewall"]


# --- groups ------------------------------------------------------------------------------------

def test_a_project_sees_its_own_groups_and_its_default_group(api):
    group = _group(api)
    assert group["name"] == "web" and group["tenant_id"] == PROJECT and group["rules"] == []
    _group(api, name="db", user="other")
    assert _names(api) == [(PROJECT, "default"), (PROJECT, "web")]
    assert _names(api, user="other") == [(OTHER_PROJECT, "db"), (OTHER_PROJECT, "default")]
    assert api.get(f"/os-security-groups/{group['id']}").json["security_group"] == group


def test_another_projects_group_is_not_found_for_every_operation(api):
    group = _group(api)
    path = f"/os-security-groups/{group['id']}"
    assert "not found" in error_message(api.get(path, user="other"), 404)
    assert error_message(api.put(path, {"security_group": {"name": "x"}}, user="other"), 404)
    assert error_message(api.delete(path, user="other"), 404)
    assert error_message(_rule(api, group["id"], user="other"), 404)
    assert _names(api, user="other", query="?all_tenants=1") == [(OTHER_PROJECT, "default")]
    assert api.get(path).status_int == 200


def test_an_admin_sees_every_project_with_all_tenants_and_any_group_by_id(api):
    group = _group(api)
    _group(api, name="db", user="other")
    assert (PROJECT, "web") in _names(api, user="admin", query="?all_tenants=True")
    assert (OTHER_PROJECT, "db") in _names(api, user="admin", query="?all_tenants=True")
    assert _names(api, user="admin") == [(ADMIN_PROJECT, "default")]
    assert api.get(f"/os-security-groups/{group['id']}", user="admin").status_int == 200
    assert "all_tenants" in error_message(api.get("/os-security-groups?all_tenants=maybe",
                                             user="admin"), 400)


def test_update_renames_and_describes_but_never_the_default_group(api):
    group = _group(api)
    resp = api.put(f"/os-security-groups/{group['id']}",
                   {"security_group": {"name": "www", "description": "new"}})
    assert resp.status_int == 200
    assert (resp.json["security_group"]["name"],
            resp.json["security_group"]["description"]) == ("www", "new")
    default = next(g for g in api.get("/os-security-groups").json["security_groups"]
                   if g["name"] == "default")
    assert "name" in error_message(api.put(f"/os-security-groups/{default['id']}",
                                      {"security_group": {"name": "x"}}), 400)
    assert "default" in error_message(api.delete(f"/os-security-groups/{default['id']}"), 400)


def test_bad_group_bodies_are_refused_naming_the_field_and_change_nothing(api):
    _group(api)
    before = count_rows(models.SecurityGroup)
    assert "name" in error_message(api.post("/os-security-groups",
                                       {"security_group": {"description": "x"}}), 400)
    assert "name" in error_message(api.post("/os-security-groups",
                                       {"security_group": {"name": ""}}), 400)
    assert "already exists" in error_message(api.post(
        "/os-security-groups", {"security_group": {"name": "web"}}), 409)
    assert count_rows(models.SecurityGroup) == before


def test_a_reader_may_look_but_not_change(api):
    _group(api)
    assert api.get("/os-security-groups", user="reader").status_int == 200
    assert api.post("/os-security-groups", {"security_group": {"name": "r"}},
                    user="reader").status_int == 403


# --- rules -------------------------------------------------------------------------------------

def test_a_rule_is_added_shown_and_deleted_in_novas_shape(api):
    group = _group(api)
    resp = _rule(api, group["id"])
    assert resp.status_int == 200, resp.text
    rule = resp.json["security_group_rule"]
    assert {k: rule[k] for k in ("parent_group_id", "ip_protocol", "from_port", "to_port",
                                 "ip_range", "group")} == {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 22,
        "to_port": 22, "ip_range": {"cidr": "10.0.0.0/8"}, "group": {}}
    shown = api.get(f"/os-security-groups/{group['id']}").json["security_group"]
    assert shown["rules"] == [rule]
    assert api.delete(f"/os-security-group-rules/{rule['id']}").status_int == 202
    assert api.get(f"/os-security-groups/{group['id']}").json[
        "security_group"]["rules"] == []
    assert count_rows(models.SecurityGroupRule) == 0


def test_a_rule_may_name_a_remote_group_of_the_project(api):
    group = _group(api)
    source = _group(api, name="lb")
    rule = _rule(api, group["id"], cidr=None, group_id=source["id"]).json[
        "security_group_rule"]
    assert rule["group"] == {"name": "lb", "tenant_id": PROJECT} and rule["ip_range"] == {}
    assert "remote group" in error_message(api.delete(f"/os-security-groups/{source['id']}"), 409)
    assert "cidr" in error_message(_rule(api, group["id"], group_id=source["id"]), 400)
    theirs = _group(api, name="theirs", user="other")
    assert "group_id" in error_message(_rule(api, group["id"], cidr=None,
                                        group_id=theirs["id"]), 400)


@pytest.mark.parametrize("fields, field", [
    ({"ip_protocol": "sctp"}, "ip_protocol"),
    ({"from_port": 0}, "from_port"),
    ({"to_port": 70000}, "to_port"),
    ({"from_port": 80, "to_port": 22}, "from_port"),
    ({"ip_protocol": "icmp", "from_port": 300, "to_port": 0}, "from_port"),
    ({"to_port": None}, "to_port"),
    ({"ip_protocol": None}, "from_port"),
    ({"cidr": "10.0.0.300/8"}, "cidr"),
    ({"cidr": "bad"}, "cidr"),
    ({"from_port": "x"}, "from_port"),
    ({"group_id": MISSING}, "group_id"),
    ({"cidr": None, "group_id": MISSING}, "group_id"),
])
def test_bad_rules_are_refused_naming_the_field_and_change_nothing(api, fields, field):
    group = _group(api)
    message = error_message(_rule(api, group["id"], **fields), 400)
    assert field in message
    assert count_rows(models.SecurityGroupRule) == 0


def test_a_duplicate_rule_is_a_conflict(api):
    group = _group(api)
    assert _rule(api, group["id"]).status_int == 200
    assert "already exists" in error_message(_rule(api, group["id"]), 409)
    assert count_rows(models.SecurityGroupRule) == 1


def test_another_projects_rule_is_not_found_and_stays(api):
    group = _group(api)
    rule = _rule(api, group["id"]).json["security_group_rule"]
    assert error_message(api.delete(f"/os-security-group-rules/{rule['id']}", user="other"),
                    404)
    assert error_message(api.delete(f"/os-security-group-rules/{MISSING}"), 404)
    assert error_message(api.delete("/os-security-group-rules/not-a-uuid"), 404)
    assert count_rows(models.SecurityGroupRule) == 1
    assert api.delete(f"/os-security-group-rules/{rule['id']}",
                      user="admin").status_int == 202


def test_icmp_and_all_protocol_rules(api):
    group = _group(api)
    icmp = _rule(api, group["id"], ip_protocol="icmp", from_port=-1, to_port=-1).json
    assert icmp["security_group_rule"]["from_port"] == -1
    every = _rule(api, group["id"], ip_protocol=None, from_port=None, to_port=None,
                  cidr="2001:db8::/32").json["security_group_rule"]
    assert every["ip_protocol"] is None and every["ip_range"] == {"cidr": "2001:db8::/32"}


# --- servers -----------------------------------------------------------------------------------

def test_a_new_server_joins_its_projects_default_group_or_the_named_ones(api):
    _group(api)
    plain = api.post("/servers", server_body(name="plain"), version="2.37").json["server"]["id"]
    web = api.post("/servers", server_body(
        name="web", security_groups=[{"name": "web"}, {"name": "default"}]),
        version="2.37").json["server"]["id"]
    for server_id, expected in ((plain, [{"name": "default"}]),
                                (web, [{"name": "web"}, {"name": "default"}])):
        shown = api.get(f"/servers/{server_id}").json["server"]
        assert shown["security_groups"] == expected
        listed = api.get(f"/servers/{server_id}/os-security-groups").json
        assert [g["name"] for g in listed["security_groups"]] == [g["name"] for g in expected]


def test_a_server_cannot_be_created_in_an_unknown_or_another_projects_group(api):
    _group(api, name="theirs", user="other")
    before = count_rows(models.Instance)
    for name in ("nope", "theirs"):
        resp = api.post("/servers", server_body(security_groups=[{"name": name}]),
                        version="2.37")
        assert "security_groups" in error_message(resp, 400)
    assert count_rows(models.Instance) == before
    assert "security_groups" in error_message(api.post("/servers", server_body(
        security_groups=[{"id": "x"}]), version="2.37"), 400)


def test_add_and_remove_security_group_actions_refresh_the_servers_host(api, compute_rpc):
    _group(api)
    server = add_instance()
    action = f"/servers/{server.uuid}/action"
    assert api.post(action, {"addSecurityGroup": {"name": "web"}}).status_int == 202
    assert _refreshes(compute_rpc) == [("host1", [server.uuid])]
    assert "already associated" in error_message(api.post(action,
                                                     {"addSecurityGroup": {"name": "web"}}), 400)
    assert "not found" in error_message(api.post(action, {"addSecurityGroup": {"name": "x"}}), 404)
    assert api.post(action, {"removeSecurityGroup": {"name": "web"}}).status_int == 202
    assert "not associated" in error_message(api.post(
        action, {"removeSecurityGroup": {"name": "web"}}), 400)
    assert len(_refreshes(compute_rpc)) == 2
    assert api.post(action, {"addSecurityGroup": {"name": "web"}},
                    user="other").status_int == 404
    assert api.get(f"/servers/{server.uuid}/os-security-groups",
                   user="other").status_int == 404


def test_a_rule_change_refreshes_every_host_running_a_member(api, compute_rpc):
    add_host("host2")
    group = _group(api)
    first, second = add_instance(name="a"), add_instance(name="b", host="host2")
    add_instance(name="c", host="host2")  # not in the group
    for server in (first, second):
        api.post(f"/servers/{server.uuid}/action", {"addSecurityGroup": {"name": "web"}})
    compute_rpc.casts.clear()
    rule = _rule(api, group["id"]).json["security_group_rule"]
    assert _refreshes(compute_rpc) == [("host1", [first.uuid]), ("host2", [second.uuid])]
    compute_rpc.casts.clear()
    api.delete(f"/os-security-group-rules/{rule['id']}")
    assert _refreshes(compute_rpc) == [("host1", [first.uuid]), ("host2", [second.uuid])]
    assert "in use" in error_message(api.delete(f"/os-security-groups/{group['id']}"), 409)


def test_a_group_nobody_uses_is_deleted_with_its_rules(api):
    group = _group(api)
    _rule(api, group["id"])
    assert api.delete(f"/os-security-groups/{group['id']}").status_int == 202
    assert count_rows(models.SecurityGroupRule) == 0
    assert api.get(f"/os-security-groups/{group['id']}").status_int == 404


# --- admin API ---------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["member", "other"])
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/v1/security-groups", None),
    ("POST", "/v1/security-groups", {"security_group": {"project_id": PROJECT, "name": "x"}}),
    ("GET", f"/v1/security-groups/{MISSING}", None),
    ("DELETE", f"/v1/security-groups/{MISSING}", None),
    ("GET", f"/v1/security-groups/{MISSING}/rules", None),
    ("POST", f"/v1/security-groups/{MISSING}/rules", {"rule": {}}),
    ("DELETE", f"/v1/security-groups/{MISSING}/rules/{MISSING}", None),
])
def test_the_admin_api_is_for_admins_only(admin_api, user, method, path, body):
    resp = admin_api.request(method, path, body=body, user=user)
    assert error_message(resp, 403) == "Permission denied"
    assert count_rows(models.SecurityGroup) == 0


def test_an_admin_manages_any_projects_groups_and_rules(admin_api, api, compute_rpc):
    resp = admin_api.post("/v1/security-groups", {"security_group": {
        "project_id": OTHER_PROJECT, "name": "ops", "description": "operators"}}, user="admin")
    assert resp.status_int == 201, resp.text
    group = resp.json["security_group"]
    assert (group["project_id"], group["name"], group["rules"]) == (OTHER_PROJECT, "ops", [])
    assert (OTHER_PROJECT, "ops") in _names(api, user="other")
    listed = admin_api.get(f"/v1/security-groups?project_id={OTHER_PROJECT}",
                           user="admin").json["security_groups"]
    assert sorted(g["name"] for g in listed) == ["default", "ops"]

    rules = f"/v1/security-groups/{group['id']}/rules"
    resp = admin_api.post(rules, {"rule": {"protocol": "udp", "port_range_min": 53,
                                           "port_range_max": 53}}, user="admin")
    assert resp.status_int == 201, resp.text
    rule = resp.json["rule"]
    assert (rule["direction"], rule["ethertype"], rule["remote_ip_prefix"]) == (
        "ingress", "IPv4", "0.0.0.0/0")
    assert admin_api.get(rules, user="admin").json["rules"] == [rule]
    assert admin_api.get(f"/v1/security-groups/{group['id']}",
                         user="admin").json["security_group"]["rules"] == [rule]
    assert admin_api.delete(f"{rules}/{rule['id']}", user="admin").status_int == 204
    assert admin_api.delete(f"{rules}/{rule['id']}", user="admin").status_int == 404
    assert admin_api.delete(f"/v1/security-groups/{group['id']}", user="admin").status_int == 204
    assert admin_api.get(f"/v1/security-groups/{group['id']}", user="admin").status_int == 404


@pytest.mark.parametrize("body, field", [
    ({"rule": {"protocol": "tcp", "port_range_min": 22}}, "port_range_max"),
    ({"rule": {"protocol": "tcp", "port_range_min": 30, "port_range_max": 22}},
     "port_range_min"),
    ({"rule": {"protocol": "gre"}}, "protocol"),
    ({"rule": {"remote_ip_prefix": "300.0.0.0/8"}}, "remote_ip_prefix"),
    ({"rule": {"remote_group_id": MISSING}}, "remote_group_id"),
    ({"rule": {"port_range_min": 5}}, "port_range_min"),
    ({"rule": {"color": "red"}}, "color"),
])
def test_admin_rule_errors_name_the_field(admin_api, body, field):
    group = admin_api.post("/v1/security-groups", {"security_group": {
        "project_id": PROJECT, "name": "ops"}}, user="admin").json["security_group"]
    resp = admin_api.post(f"/v1/security-groups/{group['id']}/rules", body, user="admin")
    assert field in error_message(resp, 400)
    assert count_rows(models.SecurityGroupRule) == 0


def test_admin_create_errors(admin_api):
    def create(**fields):
        return admin_api.post("/v1/security-groups", {"security_group": fields}, user="admin")
    assert "project_id" in error_message(create(name="x"), 400)
    assert "project_id" in error_message(create(project_id="nobody", name="x"), 400)
    assert create(project_id=PROJECT, name="x").status_int == 201
    assert "already exists" in error_message(create(project_id=PROJECT, name="x"), 409)
    assert error_message(admin_api.get("/v1/security-groups/nope", user="admin"), 404)
