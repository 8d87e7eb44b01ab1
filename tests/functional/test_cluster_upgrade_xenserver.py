"""Unmanage a cluster of simulated XenServer hosts, change a VM behind godwit's back through
XenAPI, manage the cluster again: the workers dropped their XAPI sessions meanwhile, and
reconnect and take the VM's power state from the hypervisor."""
import time

from tests.functional.test_xenserver_aio import AIO_OVERRIDES, SimulatedHost  # noqa: F401

TIMEOUT = 30


def _cluster_id(admin, name="cluster-1"):
    clusters = admin.get("/admin/v1/clusters").json()["clusters"]
    return next(cluster["id"] for cluster in clusters if cluster["name"] == name)


def _set_managed(admin, cluster_id, state):
    resp = admin.request("PATCH", f"/admin/v1/clusters/{cluster_id}",
                         json={"cluster": {"managedstate": state}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["cluster"]["managed_state"] == state


def _wait_until(check, what):
    deadline = time.monotonic() + TIMEOUT
    while not check():
        assert time.monotonic() < deadline, f"still not {what} after {TIMEOUT} s"
        time.sleep(0.05)


def _sessions(host):
    return set(host.simulator.sessions._refs)


def _service_state(admin, host_name):
    services = admin.get("/v2.1/os-services?binary=godwit-compute").json()["services"]
    return next(service["state"] for service in services if service["host"] == host_name)


def test_unmanaged_cluster_workers_leave_xapi_and_resync_when_managed_again(aio, cloud):
    demo, admin = cloud.demo(), cloud.admin()
    server_id = demo.create_server(name="upgraded", image=cloud.image_id())
    demo.wait_for_status(server_id, "ACTIVE", timeout=60)
    host_name = admin.get(f"/v2.1/servers/{server_id}").json()["server"][
        "OS-EXT-SRV-ATTR:host"]
    host = SimulatedHost(aio, host_name)  # one XAPI session of the test's own
    before = _sessions(host)
    assert len(before) >= 2, "the worker has no XAPI session"
    cluster_id = _cluster_id(admin)

    _set_managed(admin, cluster_id, "Unmanaged")
    _wait_until(lambda: len(_sessions(host)) == 1, "logged out of XAPI")
    assert _sessions(host) < before  # only the test's own is left
    assert _service_state(admin, host_name) == "up"
    resp = demo.post(f"/v2.1/servers/{server_id}/action", json={"os-stop": None})
    assert resp.status_code == 409, resp.text
    assert "its cluster cluster-1 is unmanaged" in resp.json()["conflictingRequest"]["message"]

    host.xenapi.VM.hard_shutdown(host.vm(server_id))
    assert demo.get(f"/v2.1/servers/{server_id}").json()["server"]["status"] == "ACTIVE"
    _set_managed(admin, cluster_id, "Managed")
    demo.wait_for_status(server_id, "SHUTOFF", timeout=TIMEOUT)
    assert len(_sessions(host)) > 1, "the worker did not log in again"

    _set_managed(admin, cluster_id, "Unmanaged")
    _wait_until(lambda: len(_sessions(host)) == 1, "logged out of XAPI")
    host.xenapi.VM.start(host.vm(server_id), False, False)
    _set_managed(admin, cluster_id, "Managed")
    server = demo.wait_for_status(server_id, "ACTIVE", timeout=TIMEOUT)
    assert server["OS-EXT-STS:power_state"] == 1
    assert demo.delete(f"/v2.1/servers/{server_id}").status_code == 204
    demo.wait_for_status(server_id, "DELETED", timeout=TIMEOUT)
    assert host.names() == []
