"""The dom0 ``godwit_firewall`` plugin: how it renders rules for iptables-restore, what it
refuses, and what the simulator records per host when XAPI runs it (never iptables)."""
import importlib.machinery
import importlib.util
import json
import os
import sys
import uuid

import pytest
import XenAPI

from godwit.virt.xenapi.simulator import plugins
from tests.unit.xenapi.migration_plugin_harness import ROOT

PATH = os.path.join(ROOT, "plugins", "xenserver", "xapi.d", "plugins", "godwit_firewall")
INSTANCE = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SIMULATED_HOSTS = ("xenserver-1", "xenserver-2")  # for the simulator fixture (conftest)


def _load():
    if plugins.SHIM_DIR not in sys.path:
        sys.path.append(plugins.SHIM_DIR)
    loader = importlib.machinery.SourceFileLoader("godwit_firewall_plugin", PATH)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


PLUGIN = _load()


def rule(**values):
    base = {"id": str(uuid.uuid4()), "direction": "ingress", "ethertype": "IPv4",
            "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
            "remote_ip_prefix": "0.0.0.0/0", "remote_group": None}
    return dict(base, **values)


def test_rendering_accepts_each_rule_and_drops_the_rest():
    rules = [rule(), rule(protocol="udp", port_range_min=53, port_range_max=54,
                          remote_ip_prefix="10.0.0.0/8"),
             rule(protocol="icmp", port_range_min=8, port_range_max=0),
             rule(protocol="icmp", port_range_min=-1, port_range_max=-1),
             rule(protocol=None, port_range_min=None, port_range_max=None),
             rule(ethertype="IPv6", remote_ip_prefix="2001:db8::/32")]
    chain = "gw-0a1b2c3d4e5f4a6b8c7d9e0f"
    assert PLUGIN.render(INSTANCE, rules, "IPv4").splitlines() == [
        f"# godwit security group rules of instance {INSTANCE}",
        "*filter",
        f":{chain} - [0:0]",
        f"-F {chain}",
        f"-A {chain} -m state --state RELATED,ESTABLISHED -j ACCEPT",
        f"-A {chain} -p tcp -s 0.0.0.0/0 --dport 22:22 -j ACCEPT",
        f"-A {chain} -p udp -s 10.0.0.0/8 --dport 53:54 -j ACCEPT",
        f"-A {chain} -p icmp -s 0.0.0.0/0 --icmp-type 8/0 -j ACCEPT",
        f"-A {chain} -p icmp -s 0.0.0.0/0 -j ACCEPT",
        f"-A {chain} -s 0.0.0.0/0 -j ACCEPT",
        f"-A {chain} -j DROP",
        "COMMIT"]
    ipv6 = PLUGIN.render(INSTANCE, rules, "IPv6").splitlines()
    assert f"-A {chain} -p tcp -s 2001:db8::/32 --dport 22:22 -j ACCEPT" in ipv6
    assert not any("0.0.0.0/0" in line for line in ipv6)


def test_a_remote_group_rule_is_kept_as_a_comment_while_members_have_no_addresses():
    group = str(uuid.uuid4())
    found = rule(remote_ip_prefix=None, remote_group=group)
    rendered = PLUGIN.render(INSTANCE, [found], "IPv4")
    assert f"# rule {found['id']}: remote group {group} has no member addresses" in rendered


@pytest.mark.parametrize("bad", [
    rule(protocol="sctp"), rule(port_range_min=0), rule(port_range_max=70000),
    rule(remote_ip_prefix="10.0.0.300/8"), rule(ethertype="IPv6"), rule(direction="egress"),
    {"protocol": "tcp"}, "not a rule"])
def test_bad_rules_are_refused_before_anything_is_written(bad, tmp_path, monkeypatch):
    monkeypatch.setenv("GODWIT_FIREWALL_SIMULATED", "1")
    monkeypatch.setenv("GODWIT_FIREWALL_DIR", str(tmp_path))
    with pytest.raises(PLUGIN.XenAPIPlugin.Failure) as caught:
        PLUGIN.apply_ruleset(None, {"instance": INSTANCE, "rules": json.dumps([bad])})
    assert caught.value.params[:2] == ["GODWIT_BAD_ARGUMENT", "rules"]
    assert os.listdir(tmp_path) == []


def test_a_bad_instance_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GODWIT_FIREWALL_SIMULATED", "1")
    monkeypatch.setenv("GODWIT_FIREWALL_DIR", str(tmp_path))
    with pytest.raises(PLUGIN.XenAPIPlugin.Failure) as caught:
        PLUGIN.remove_ruleset(None, {"instance": "../../etc/passwd"})
    assert caught.value.params[:2] == ["GODWIT_BAD_ARGUMENT", "instance"]


@pytest.fixture
def pool(xenapi, simulator):
    return xenapi, simulator


def test_under_the_simulator_each_host_records_its_rulesets(pool):
    xenapi, simulator = pool
    first, second = (xenapi.host.get_by_name_label(name)[0]
                     for name in ("xenserver-1", "xenserver-2"))
    rules = [rule()]
    reply = json.loads(xenapi.host.call_plugin(first, "godwit_firewall", "apply_ruleset", {
        "instance": INSTANCE, "rules": json.dumps(rules)}))
    assert reply == {"chain": "gw-0a1b2c3d4e5f4a6b8c7d9e0f", "rules": 1}
    recorded = plugins.firewall_dir(simulator.state_dir, "xenserver-1")
    with open(os.path.join(recorded, INSTANCE + ".rules")) as stream:
        assert "--dport 22:22 -j ACCEPT" in stream.read()
    listed = xenapi.host.call_plugin(first, "godwit_firewall", "list_rulesets", {})
    assert json.loads(listed) == {INSTANCE: rules}
    assert json.loads(xenapi.host.call_plugin(second, "godwit_firewall", "list_rulesets",
                                              {})) == {}

    removed = xenapi.host.call_plugin(first, "godwit_firewall", "remove_ruleset",
                                      {"instance": INSTANCE})
    assert json.loads(removed) == {"removed": True}
    assert os.listdir(recorded) == []


def test_a_failure_is_reported_as_xapi_reports_it(pool):
    xenapi, _ = pool
    host = xenapi.host.get_all()[0]
    with pytest.raises(XenAPI.Failure) as caught:
        xenapi.host.call_plugin(host, "godwit_firewall", "apply_ruleset",
                                {"instance": INSTANCE, "rules": "[{}]"})
    assert caught.value.details[:2] == ["GODWIT_BAD_ARGUMENT", "rules"]
