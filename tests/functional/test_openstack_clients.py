"""The real OpenStack clients, unmodified, against an in-process all-in-one."""
import json
import os
import subprocess
import sys

import openstack

BIN = os.path.dirname(sys.executable)


def _openstack(cloud, cloud_name, *args):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=cloud.clouds_yaml)
    result = subprocess.run([os.path.join(BIN, "openstack"), "--os-cloud", cloud_name, *args],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, f"openstack {' '.join(args)}: {result.stderr}"
    return result.stdout


def test_openstacksdk_boot_list_show_stop_start_delete(cloud, monkeypatch):
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", cloud.clouds_yaml)
    conn = openstack.connect(cloud="godwit-demo")
    flavor = conn.compute.find_flavor("m1.tiny")
    image = conn.image.find_image("cirros-0.6.2")
    server = conn.compute.create_server(name="sdk-vm", flavor_id=flavor.id, image_id=image.id,
                                        networks="none")
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.2)
    assert server.name == "sdk-vm"
    assert server.id in [s.id for s in conn.compute.servers()]
    assert conn.compute.get_server(server.id).flavor.name == "m1.tiny"
    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, status="SHUTOFF", wait=60, interval=0.2)
    conn.compute.start_server(server)
    conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.2)
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60, interval=0.2)
    assert server.id not in [s.id for s in conn.compute.servers()]


def test_openstack_cli_quick_start_commands(cloud):
    assert "m1.tiny" in _openstack(cloud, "godwit-demo", "flavor", "list")
    assert "cirros-0.6.2" in _openstack(cloud, "godwit-demo", "image", "list")
    created = json.loads(_openstack(
        cloud, "godwit-demo", "server", "create", "--flavor", "m1.tiny", "--image",
        "cirros-0.6.2", "--nic", "none", "--wait", "-f", "json", "cli-vm"))
    assert created["status"] == "ACTIVE"
    listed = json.loads(_openstack(cloud, "godwit-demo", "server", "list", "-f", "json"))
    assert "cli-vm" in [s["Name"] for s in listed]
    shown = json.loads(_openstack(cloud, "godwit-demo", "server", "show", "cli-vm", "-f", "json"))
    assert shown["id"] == created["id"]
    _openstack(cloud, "godwit-demo", "server", "stop", "cli-vm")
    cloud.demo().wait_for_status(created["id"], "SHUTOFF")
    _openstack(cloud, "godwit-demo", "server", "start", "cli-vm")
    cloud.demo().wait_for_status(created["id"], "ACTIVE")
    _openstack(cloud, "godwit-demo", "server", "delete", "--wait", "cli-vm")
    assert cloud.demo().get(f"/v2.1/servers/{created['id']}").status_code == 404


def test_openstack_cli_admin_commands(cloud):
    hypervisors = json.loads(_openstack(cloud, "godwit-admin", "hypervisor", "list",
                                        "-f", "json"))
    assert {h["Hypervisor Hostname"] for h in hypervisors} == {
        "compute-1", "compute-2", "compute-3"}
    services = json.loads(_openstack(cloud, "godwit-admin", "compute", "service", "list",
                                     "-f", "json"))
    assert {(s["Binary"], s["Host"]) for s in services} >= {
        ("godwit-compute", "compute-1"), ("godwit-scheduler", cloud_host(services))}
    _openstack(cloud, "godwit-admin", "compute", "service", "set", "--disable",
               "compute-3", "godwit-compute")
    services = json.loads(_openstack(cloud, "godwit-admin", "compute", "service", "list",
                                     "-f", "json"))
    status = {s["Host"]: s["Status"] for s in services if s["Binary"] == "godwit-compute"}
    assert status["compute-3"] == "disabled" and status["compute-1"] == "enabled"
    _openstack(cloud, "godwit-admin", "compute", "service", "set", "--enable",
               "compute-3", "godwit-compute")


def cloud_host(services):
    return next(s["Host"] for s in services if s["Binary"] == "godwit-scheduler")
