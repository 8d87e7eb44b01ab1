"""Security group rules on simulated XenServer hosts: the worker calls the real
``godwit_firewall`` dom0 plugin, which under the simulator only records each host's
rulesets (``<state_dir>/firewall/<host>/<instance>.rules``) and never runs iptables."""
import os

from godwit.db import api as db
from godwit.virt.xenapi.simulator import plugins
from tests.functional.test_security_groups_aio import _action, _group_with_ssh, _wait
from tests.functional.test_xenserver_aio import AIO_OVERRIDES  # noqa: F401 - configures aio


def _rulesets(aio, server_id):
    """{host: rendered ruleset} of every simulated host holding one for the server."""
    found = {}
    for svc in aio.services:
        simulator = getattr(svc, "simulator", None)
        for host in simulator.hosts if simulator else ():
            path = os.path.join(plugins.firewall_dir(simulator.state_dir, host),
                                server_id + ".rules")
            if os.path.exists(path):
                with open(path) as stream:
                    found[host] = stream.read()
    return found


def _capability(admin, enabled):
    rows = admin.get("/admin/v1/hypervisor-capabilities?hypervisor_type=xen").json()[
        "hypervisor_capabilities"]
    body = {"hypervisor_capability": {"security_group_enabled": enabled}}
    if rows:
        resp = admin.request("PATCH", f"/admin/v1/hypervisor-capabilities/{rows[0]['id']}",
                             json=body)
    else:
        body["hypervisor_capability"].update(hypervisor_type="xen", hypervisor_version="any")
        resp = admin.post("/admin/v1/hypervisor-capabilities", json=body)
    assert resp.status_code in (200, 201), resp.text


def _holds(aio, server_id, host, *ports):
    rulesets = _rulesets(aio, server_id)
    return set(rulesets) == {host} and all(f"--dport {port}:{port} -j ACCEPT" in rulesets[host]
                                           for port in ports)


def test_the_dom0_plugin_records_rules_where_the_instance_runs(aio, cloud):
    admin = cloud.admin()
    _capability(admin, True)
    user = cloud.new_member()
    group = _group_with_ssh(user)
    server_id = user.create_server("xen-fw", image=cloud.image_id(),
                                   security_groups=[{"name": "web"}])
    user.wait_for_status(server_id, "ACTIVE")
    source = db.instance_get(server_id).host
    _wait(lambda: _holds(aio, server_id, source, 22))
    assert "-j DROP" in _rulesets(aio, server_id)[source]

    user.post("/v2.1/os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 8080,
        "to_port": 8080}})
    _wait(lambda: _holds(aio, server_id, source, 22, 8080))

    _action(user, server_id, {"os-stop": None})
    user.wait_for_status(server_id, "SHUTOFF")
    _wait(lambda: _rulesets(aio, server_id) == {})
    _action(user, server_id, {"os-start": None})
    user.wait_for_status(server_id, "ACTIVE")
    _wait(lambda: _holds(aio, server_id, source, 22, 8080))

    _action(user, server_id, {"resize": {"flavorRef": "2"}})
    user.wait_for_status(server_id, "VERIFY_RESIZE")
    dest = db.instance_get(server_id).host
    assert dest != source
    _wait(lambda: _holds(aio, server_id, dest, 22, 8080))
    assert user.post(f"/v2.1/servers/{server_id}/action",
                     json={"confirmResize": None}).status_code == 204
    user.wait_for_status(server_id, "ACTIVE")

    _capability(admin, False)
    try:
        _action(user, server_id, {"reboot": {"type": "HARD"}})
        user.wait_for_status(server_id, "ACTIVE")
        _wait(lambda: _rulesets(aio, server_id) == {})
    finally:
        _capability(admin, True)
    assert user.delete(f"/v2.1/servers/{server_id}").status_code == 204
    user.wait_for_status(server_id, "DELETED")
    assert _rulesets(aio, server_id) == {}
