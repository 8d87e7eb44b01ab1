"""Boot, power actions and delete through the HTTP API of an in-process all-in-one."""
import time
from concurrent.futures import ThreadPoolExecutor

from godwit.conf import CONF
from godwit.db import api as db


def test_boot_stop_start_reboot_delete(cloud):
    user = cloud.new_member()
    server_id = user.create_server("web", image=cloud.image_id())
    server = user.wait_for_status(server_id, "ACTIVE")
    assert server["OS-EXT-STS:power_state"] == 1
    assert server["flavor"]["original_name"] == "m1.tiny"

    assert user.post(f"/v2.1/servers/{server_id}/action", json={"os-stop": None}).status_code \
        == 202
    assert user.wait_for_status(server_id, "SHUTOFF")["OS-EXT-STS:power_state"] == 4
    again = user.post(f"/v2.1/servers/{server_id}/action", json={"os-stop": None})
    assert again.status_code == 409
    assert "conflictingRequest" in again.json()

    assert user.post(f"/v2.1/servers/{server_id}/action", json={"os-start": None}).status_code \
        == 202
    user.wait_for_status(server_id, "ACTIVE")
    reboot = user.post(f"/v2.1/servers/{server_id}/action", json={"reboot": {"type": "HARD"}})
    assert reboot.status_code == 202
    user.wait_for_status(server_id, "ACTIVE")

    host = db.instance_get(server_id).host
    used_before = db.host_get(host).memory_mb_used
    assert user.delete(f"/v2.1/servers/{server_id}").status_code == 204
    user.wait_for_status(server_id, "DELETED")
    assert db.host_get(host).memory_mb_used == used_before - 512
    assert server_id not in [s["id"] for s in user.get("/v2.1/servers").json()["servers"]]


def test_suspend_and_resume(cloud):
    user = cloud.new_member()
    server_id = user.create_server("sleepy", image=cloud.image_id())
    user.wait_for_status(server_id, "ACTIVE")
    url = f"/v2.1/servers/{server_id}/action"
    assert user.post(url, json={"resume": None}).status_code == 409
    assert user.post(url, json={"suspend": None}).status_code == 202
    assert user.wait_for_status(server_id, "SUSPENDED")["OS-EXT-STS:power_state"] == 7
    assert user.post(url, json={"os-stop": None}).status_code == 409
    assert user.post(url, json={"suspend": {"now": True}}).status_code == 400
    assert cloud.new_member().post(url, json={"resume": None}).status_code == 404
    assert user.post(url, json={"resume": None}).status_code == 202
    assert user.wait_for_status(server_id, "ACTIVE")["OS-EXT-STS:power_state"] == 1
    assert user.delete(f"/v2.1/servers/{server_id}").status_code == 204


def test_projects_do_not_see_each_other(cloud):
    owner, other = cloud.new_member(), cloud.new_member()
    server_id = owner.create_server("private", image=cloud.image_id())
    owner.wait_for_status(server_id, "ACTIVE")
    assert other.get(f"/v2.1/servers/{server_id}").status_code == 404
    assert other.delete(f"/v2.1/servers/{server_id}").status_code == 404
    assert other.post(f"/v2.1/servers/{server_id}/action",
                      json={"os-stop": None}).status_code == 404
    assert other.get("/v2.1/servers").json()["servers"] == []
    assert db.instance_get(server_id).vm_state == "active"
    listed = cloud.admin().get("/v2.1/servers/detail?all_tenants=1").json()["servers"]
    assert server_id in [s["id"] for s in listed]


def test_reader_may_look_but_not_act(cloud):
    member = cloud.new_member()
    server_id = member.create_server("seen", image=cloud.image_id())
    member.wait_for_status(server_id, "ACTIVE")
    reader = cloud.new_member(role="reader")
    assert reader.get("/v2.1/servers").status_code == 200
    assert reader.post("/v2.1/servers", json={"server": {
        "name": "x", "flavorRef": "1", "imageRef": cloud.image_id(),
        "networks": "none"}}).status_code == 403


def _room_for(flavor):
    """How many servers of ``flavor`` still fit on the hosts, given what runs there now."""
    room = 0
    for h in db.host_list():
        room += int(min((h.memory_mb * h.ram_allocation_ratio - h.memory_mb_used)
                        // flavor.memory_mb,
                        (h.vcpus * h.cpu_allocation_ratio - h.vcpus_used) // flavor.vcpus,
                        (h.disk_gb * h.disk_allocation_ratio - h.disk_gb_used)
                        // flavor.root_gb))
    return room


def test_concurrent_boots_fill_hosts_without_oversubscribing(cloud):
    """m1.xlarge (16 GiB) on hosts of 128 GiB x 1.5: about 12 fit per host.

    The claims decide: no host ever holds more than it has. The scheduler's cached view
    lags the claims by up to ``cache_refresh_interval``, so near the edge it may turn
    away a few boots that would still have fitted; those fail with "No valid host".
    """
    time.sleep(CONF.scheduler.cache_refresh_interval + 0.5)  # the view includes every test
    admin = cloud.admin()
    room = _room_for(db.flavor_get("5"))
    assert room >= 30
    with ThreadPoolExecutor(10) as pool:
        ids = list(pool.map(lambda i: admin.create_server(f"big{i}", flavor="5",
                                                          image=cloud.image_id()),
                            range(room + 4)))
    statuses = [_settled_status(admin, i) for i in ids]
    for host in db.host_list():
        assert host.memory_mb_used <= host.memory_mb * host.ram_allocation_ratio
    assert room - 3 <= statuses.count("ACTIVE") <= room
    servers = [admin.get(f"/v2.1/servers/{i}").json()["server"] for i in ids]
    faults = [s["fault"]["message"] for s in servers if s["status"] == "ERROR"]
    assert len(faults) == len(ids) - statuses.count("ACTIVE")
    assert all("No valid host" in message for message in faults)
    for server_id in ids:
        admin.delete(f"/v2.1/servers/{server_id}")
    for server_id in ids:
        admin.wait_for_status(server_id, "DELETED")
    assert _room_for(db.flavor_get("5")) == room


def _settled_status(client, server_id):
    for _ in range(600):
        status = client.get(f"/v2.1/servers/{server_id}").json()["server"]["status"]
        if status in ("ACTIVE", "ERROR"):
            return status
        time.sleep(0.05)
    return status
