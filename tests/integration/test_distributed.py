"""godwit-api, godwit-scheduler and two godwit-compute processes over RabbitMQ + PostgreSQL."""
import time

import requests

from tests.cloud import Client, get_token


def _demo(deployment):
    return deployment.cloud.demo()


def test_boot_spreads_over_compute_processes_and_lifecycle_works(deployment):
    demo = _demo(deployment)
    image = deployment.cloud.image_id()
    ids = [demo.create_server(f"vm{i}", image=image) for i in range(4)]
    admin = deployment.cloud.admin()
    hosts = set()
    for server_id in ids:
        demo.wait_for_status(server_id, "ACTIVE")
        hosts.add(admin.get(f"/v2.1/servers/{server_id}").json()["server"][
            "OS-EXT-SRV-ATTR:host"])
    assert hosts == {"hv-1", "hv-2"}
    first = ids[0]
    assert demo.post(f"/v2.1/servers/{first}/action", json={"os-stop": None}).status_code == 202
    demo.wait_for_status(first, "SHUTOFF")
    assert demo.post(f"/v2.1/servers/{first}/action", json={"os-start": None}).status_code \
        == 202
    demo.wait_for_status(first, "ACTIVE")
    for server_id in ids:
        assert demo.delete(f"/v2.1/servers/{server_id}").status_code == 204
    for server_id in ids:
        demo.wait_for_status(server_id, "DELETED")
    hypervisors = admin.get("/v2.1/os-hypervisors/detail").json()["hypervisors"]
    assert all(h["memory_mb_used"] == 0 and h["running_vms"] == 0 for h in hypervisors)


def test_bad_token_is_refused(deployment):
    client = Client(deployment.base_url, "not-a-token")
    resp = client.get("/v2.1/servers")
    assert resp.status_code == 401
    assert requests.get(deployment.base_url + "/v2.1/servers", timeout=10).status_code == 401
    assert get_token(deployment.base_url, "admin",
                     deployment.cloud.clouds["godwit-admin"]["auth"]["password"], "admin")


def test_sigterm_lets_a_compute_finish_and_exit(deployment):
    """A compute stopped with SIGTERM exits cleanly and is reported down; the other
    keeps serving boots."""
    assert deployment.stop("hv-2") == 0
    assert "stopped" in deployment.log("hv-2")
    admin = deployment.cloud.admin()
    _wait_for_service_state(admin, "hv-2", "down")
    demo = _demo(deployment)
    server_id = demo.create_server("after-stop", image=deployment.cloud.image_id())
    demo.wait_for_status(server_id, "ACTIVE")
    assert admin.get(f"/v2.1/servers/{server_id}").json()["server"][
        "OS-EXT-SRV-ATTR:host"] == "hv-1"
    demo.delete(f"/v2.1/servers/{server_id}")
    demo.wait_for_status(server_id, "DELETED")


def _wait_for_service_state(admin, host, state, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services = admin.get("/v2.1/os-services").json()["services"]
        if any(s["host"] == host and s["state"] == state for s in services):
            time.sleep(2)  # the scheduler's cached view refreshes every 2 s
            return
        time.sleep(0.5)
    raise AssertionError(f"{host} never became {state}")
