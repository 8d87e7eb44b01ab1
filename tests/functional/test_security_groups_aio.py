"""Security group rules implemented on the host an instance runs on, in an all-in-one with
the fake driver: applied when it starts, removed when it stops, moves or is deleted, kept in
the database throughout, and only where the hypervisor capability enables them. The
``openstack`` CLI adds and removes a server's groups through the Compute API."""
import json
import time
import types

from godwit.compute import firewall
from godwit.conf import CONF
from godwit.db import api as db
from tests.functional.test_openstack_clients import _openstack


def _drivers(aio):
    return {svc.host: svc.manager.driver for svc in aio.services
            if getattr(svc, "manager", None) is not None and hasattr(svc.manager, "driver")}


def _wait(check, timeout=30):
    """Until ``check()`` is true; what a user polling the cloud would do."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the hosts never reached the expected rules"
        time.sleep(0.1)


def _applied(aio, server_id):
    """{host: [(protocol, from, to, cidr)]} of every host holding rules for the server."""
    return {host: [(r["protocol"], r["port_range_min"], r["port_range_max"],
                    r["remote_ip_prefix"]) for r in rules]
            for host, driver in _drivers(aio).items()
            if (rules := driver.firewall_rules(server_id)) is not None}


def _enable(admin, enabled=True):
    """The capability row of the fake hypervisor: security groups on (or off)."""
    rows = admin.get("/admin/v1/hypervisor-capabilities?hypervisor_type=fake").json()[
        "hypervisor_capabilities"]
    if rows:
        resp = admin.request("PATCH", f"/admin/v1/hypervisor-capabilities/{rows[0]['id']}",
                             json={"hypervisor_capability": {
                                 "security_group_enabled": enabled}})
    else:
        resp = admin.post("/admin/v1/hypervisor-capabilities", json={"hypervisor_capability": {
            "hypervisor_type": "fake",
            "hypervisor_version": CONF.compute.fake_hypervisor_version,
            "security_group_enabled": enabled}})
    assert resp.status_code in (200, 201), resp.text


def _group_with_ssh(user):
    group = user.post("/v2.1/os-security-groups", json={"security_group": {
        "name": "web", "description": "web"}}).json()["security_group"]
    rule = user.post("/v2.1/os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 22,
        "to_port": 22, "cidr": "0.0.0.0/0"}})
    assert rule.status_code == 200, rule.text
    return group


def _action(user, server_id, body):
    resp = user.post(f"/v2.1/servers/{server_id}/action", json=body)
    assert resp.status_code == 202, resp.text


SSH = ("tcp", 22, 22, "0.0.0.0/0")
HTTP = ("tcp", 80, 80, "0.0.0.0/0")


def test_rules_follow_the_instance_from_host_to_host(aio, cloud):
    admin = cloud.admin()
    _enable(admin)
    user = cloud.new_member()
    group = _group_with_ssh(user)
    server_id = user.create_server("fw", image=cloud.image_id(),
                                   security_groups=[{"name": "web"}])
    user.wait_for_status(server_id, "ACTIVE")
    source = db.instance_get(server_id).host
    _wait(lambda: _applied(aio, server_id) == {source: [SSH]})

    http = user.post("/v2.1/os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 80,
        "to_port": 80}}).json()["security_group_rule"]
    _wait(lambda: _applied(aio, server_id) == {source: [SSH, HTTP]})

    _action(user, server_id, {"os-stop": None})
    user.wait_for_status(server_id, "SHUTOFF")
    _wait(lambda: _applied(aio, server_id) == {})
    assert len(user.get(f"/v2.1/os-security-groups/{group['id']}").json()[
        "security_group"]["rules"]) == 2
    _action(user, server_id, {"os-start": None})
    user.wait_for_status(server_id, "ACTIVE")
    _wait(lambda: _applied(aio, server_id) == {source: [SSH, HTTP]})

    _action(user, server_id, {"suspend": None})
    user.wait_for_status(server_id, "SUSPENDED")
    _wait(lambda: _applied(aio, server_id) == {})
    _action(user, server_id, {"resume": None})
    user.wait_for_status(server_id, "ACTIVE")

    _action(user, server_id, {"resize": {"flavorRef": "2"}})
    user.wait_for_status(server_id, "VERIFY_RESIZE")
    dest = db.instance_get(server_id).host
    assert dest != source
    _wait(lambda: _applied(aio, server_id) == {dest: [SSH, HTTP]})
    _action(user, server_id, {"revertResize": None})
    user.wait_for_status(server_id, "ACTIVE")
    _wait(lambda: _applied(aio, server_id) == {source: [SSH, HTTP]})

    assert user.delete(f"/v2.1/os-security-group-rules/{http['id']}").status_code == 202
    _wait(lambda: _applied(aio, server_id) == {source: [SSH]})
    assert user.delete(f"/v2.1/servers/{server_id}").status_code == 204
    user.wait_for_status(server_id, "DELETED")
    _wait(lambda: _applied(aio, server_id) == {})


def test_nothing_is_applied_where_the_capability_disables_security_groups(aio, cloud):
    admin = cloud.admin()
    user = cloud.new_member()
    group = _group_with_ssh(user)
    server_id = user.create_server("off", image=cloud.image_id(),
                                   security_groups=[{"name": "web"}])
    user.wait_for_status(server_id, "ACTIVE")
    _wait(lambda: _applied(aio, server_id) != {})
    _enable(admin, enabled=False)
    try:
        _action(user, server_id, {"reboot": {"type": "HARD"}})
        user.wait_for_status(server_id, "ACTIVE")
        _wait(lambda: _applied(aio, server_id) == {})
        assert user.get(f"/v2.1/servers/{server_id}").json()["server"][
            "security_groups"] == [{"name": "web"}]
    finally:
        _enable(admin)
    user.post("/v2.1/os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 80, "to_port": 80}})
    host = db.instance_get(server_id).host
    _wait(lambda: _applied(aio, server_id) == {host: [SSH, HTTP]})


def test_the_openstack_cli_adds_and_removes_a_servers_group(aio, cloud):
    _enable(cloud.admin())
    demo = cloud.demo()
    demo.post("/v2.1/os-security-groups", json={"security_group": {"name": "cli-ssh"}})
    group = next(g for g in demo.get("/v2.1/os-security-groups").json()["security_groups"]
                 if g["name"] == "cli-ssh")
    demo.post("/v2.1/os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 443,
        "to_port": 443}})
    created = json.loads(_openstack(cloud, "godwit-demo", "server", "create", "--flavor",
                                    "m1.tiny", "--image", "cirros-0.6.2", "--nic", "none",
                                    "--security-group", "cli-ssh", "--wait", "-f", "json",
                                    "cli-fw"))
    server_id = created["id"]
    host = db.instance_get(server_id).host
    https = ("tcp", 443, 443, "0.0.0.0/0")
    _wait(lambda: _applied(aio, server_id) == {host: [https]})
    _openstack(cloud, "godwit-demo", "server", "remove", "security", "group", "cli-fw",
               "cli-ssh")
    _wait(lambda: _applied(aio, server_id) == {host: []})
    _openstack(cloud, "godwit-demo", "server", "add", "security", "group", "cli-fw", "cli-ssh")
    _wait(lambda: _applied(aio, server_id) == {host: [https]})
    shown = json.loads(_openstack(cloud, "godwit-demo", "server", "show", "-f", "json",
                                  "cli-fw"))
    assert shown["security_groups"] == [{"name": "cli-ssh"}]
    _openstack(cloud, "godwit-demo", "server", "delete", "--wait", "cli-fw")


def test_the_reconciler_repairs_what_a_lost_cast_or_a_restart_left(aio, cloud):
    _enable(cloud.admin())
    user = cloud.new_member()
    _group_with_ssh(user)
    server_id = user.create_server("lost", image=cloud.image_id(),
                                   security_groups=[{"name": "web"}])
    user.wait_for_status(server_id, "ACTIVE")
    host = db.instance_get(server_id).host
    _wait(lambda: _applied(aio, server_id) == {host: [SSH]})
    manager = next(svc.manager for svc in aio.services
                   if getattr(svc, "host", None) == host and hasattr(svc, "manager"))
    stray = "00000000-0000-4000-8000-000000000000"
    manager.driver.apply_firewall(types.SimpleNamespace(uuid=stray), [])
    manager.driver.remove_firewall(db.instance_get(server_id))

    firewall.refresh_host(manager)

    assert _applied(aio, server_id) == {host: [SSH]}
    assert manager.driver.firewall_rules(stray) is None
    assert user.delete(f"/v2.1/servers/{server_id}").status_code == 204
