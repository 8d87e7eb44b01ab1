"""Deploy on a named host against a running all-in-one: the `godwit` CLI, the unmodified
`openstack` CLI at 2.74, and the admin API's ``host_id``."""
import json
import os
import subprocess
import sys

BIN = os.path.dirname(sys.executable)
# The scheduler sees a host disabled a moment ago at once (by default within 2 seconds).
AIO_OVERRIDES = {("cache_refresh_interval", "scheduler"): 0}


def _run(cloud, program, cloud_name, *args):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=cloud.clouds_yaml)
    return subprocess.run([os.path.join(BIN, program), "--os-cloud", cloud_name, *args],
                          capture_output=True, text=True, env=env, timeout=120)


def _host_of(cloud, server_id):
    server = cloud.admin().wait_for_status(server_id, "ACTIVE")
    return server["OS-EXT-SRV-ATTR:host"]


def test_godwit_cli_builds_on_the_named_host(cloud):
    result = _run(cloud, "godwit", "godwit-admin", "-f", "json", "server", "create",
                  "pinned", "--flavor", "m1.tiny", "--image", "cirros-0.6.2", "--nic", "none",
                  "--host", "compute-3", "--wait")
    assert result.returncode == 0, result.stderr
    assert _host_of(cloud, json.loads(result.stdout)["id"]) == "compute-3"


def test_godwit_cli_refusals_are_clear(cloud):
    result = _run(cloud, "godwit", "godwit-demo", "server", "create", "mine", "--flavor",
                  "m1.tiny", "--image", "cirros-0.6.2", "--host", "compute-2")
    assert result.returncode == 1
    assert "Permission denied (HTTP 403)" in result.stderr
    result = _run(cloud, "godwit", "godwit-admin", "server", "create", "lost", "--flavor",
                  "m1.tiny", "--image", "cirros-0.6.2", "--host", "compute-9")
    assert result.returncode == 1
    assert "Host compute-9 is unknown. (HTTP 400)" in result.stderr
    names = [s["name"] for s in cloud.admin().get(
        "/v2.1/servers?all_tenants=1").json()["servers"]]
    assert "mine" not in names and "lost" not in names


def test_openstack_cli_builds_on_the_named_host(cloud):
    result = _run(cloud, "openstack", "godwit-admin", "--os-compute-api-version", "2.74",
                  "server", "create", "--flavor", "m1.tiny", "--image", "cirros-0.6.2",
                  "--nic", "none", "--host", "compute-2", "-f", "json", "osc-pinned")
    assert result.returncode == 0, result.stderr
    assert _host_of(cloud, json.loads(result.stdout)["id"]) == "compute-2"


def test_admin_api_builds_on_the_host_named_by_id_or_says_why_not(cloud):
    admin = cloud.admin()
    hosts = {h["name"]: h["id"] for h in admin.get("/admin/v1/hosts").json()["hosts"]}
    body = {"name": "by-id", "flavor": "1", "image": cloud.image_id(),
            "host_id": hosts["compute-1"]}
    resp = admin.post("/admin/v1/servers", json=body)
    assert resp.status_code == 202, resp.text
    assert _host_of(cloud, resp.json()["servers"][0]["id"]) == "compute-1"
    resp = admin.request("PATCH", f"/admin/v1/hosts/{hosts['compute-1']}",
                         json={"host": {"allocationstate": "Disabled"}})
    assert resp.status_code == 200, resp.text
    try:
        resp = admin.post("/admin/v1/servers", json=dict(body, name="refused"))
        assert resp.status_code == 400
        assert resp.json()["badRequest"]["message"] == (
            "No valid host was found. Host compute-1 cannot take the instance: the host is "
            "Disabled.")
    finally:
        admin.request("PATCH", f"/admin/v1/hosts/{hosts['compute-1']}",
                      json={"host": {"allocationstate": "Enabled"}})
    resp = cloud.demo().post("/admin/v1/servers", json=body)
    assert resp.status_code == 403
    assert resp.json()["forbidden"]["message"] == "Permission denied"
