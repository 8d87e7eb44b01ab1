"""Hypervisors, services, availability zones, aggregates and limits."""
import pytest

from godwit.db import api as db
from godwit.db import models
from tests.functional.api.conftest import PROJECT, add_cluster, add_host, add_instance

# --- hypervisors -------------------------------------------------------------------------------


def test_hypervisor_list_and_detail(api):
    host = db.host_get("host1")
    listed = api.get("/os-hypervisors", user="admin", version="2.60").json
    assert listed == {"hypervisors": [{"id": host.uuid, "hypervisor_hostname": "host1",
                                       "state": "up", "status": "enabled"}]}
    detail = api.get("/os-hypervisors/detail", user="admin", version="2.60").json
    hypervisor = detail["hypervisors"][0]
    service = db.service_list(host="host1")[0]
    assert hypervisor["hypervisor_version"] == 8002001
    assert hypervisor["hypervisor_type"] == "xen"
    assert (hypervisor["vcpus"], hypervisor["memory_mb"], hypervisor["local_gb"]) == \
        (8, 16384, 500)
    assert hypervisor["free_ram_mb"] == 16384 and hypervisor["host_ip"] == "10.0.0.1"
    assert hypervisor["cpu_info"] == {}
    assert hypervisor["service"] == {"host": "host1", "id": service.uuid,
                                     "disabled_reason": None}
    old = api.get("/os-hypervisors/detail", user="admin", version="2.27").json
    assert old["hypervisors"][0]["id"] == host.id
    assert old["hypervisors"][0]["cpu_info"] == "{}"
    assert old["hypervisors"][0]["service"]["id"] == service.id


def test_hypervisor_state_and_status_follow_the_service(api):
    add_host("host2")
    service = db.service_list(host="host2")[0]
    db.service_update(service.uuid, {"disabled": True, "disabled_reason": "maintenance",
                                     "last_seen_up": models.utcnow().replace(year=2000)})
    detail = api.get("/os-hypervisors/detail", user="admin", version="2.60").json
    second = detail["hypervisors"][1]
    assert (second["state"], second["status"]) == ("down", "disabled")
    assert second["service"]["disabled_reason"] == "maintenance"


def test_hypervisor_show_paging_pattern_and_servers(api):
    add_host("host2")
    instance = add_instance()
    host1, host2 = db.host_get("host1"), db.host_get("host2")
    shown = api.get(f"/os-hypervisors/{host1.uuid}?with_servers=true", user="admin",
                    version="2.60").json["hypervisor"]
    assert shown["servers"] == [{"name": f"instance-{instance.id:08x}", "uuid": instance.uuid}]
    assert api.get(f"/os-hypervisors/{host1.id}", user="admin").json["hypervisor"][
        "hypervisor_hostname"] == "host1"
    page = api.get("/os-hypervisors?limit=1", user="admin", version="2.60").json
    assert [h["id"] for h in page["hypervisors"]] == [host1.uuid]
    assert "hypervisors_links" in page
    page = api.get(f"/os-hypervisors?marker={host1.uuid}", user="admin", version="2.60").json
    assert [h["id"] for h in page["hypervisors"]] == [host2.uuid]
    found = api.get("/os-hypervisors?hypervisor_hostname_pattern=t2", user="admin",
                    version="2.60").json
    assert [h["hypervisor_hostname"] for h in found["hypervisors"]] == ["host2"]
    old = api.get("/os-hypervisors/host/search", user="admin", version="2.52").json
    assert len(old["hypervisors"]) == 2
    old = api.get("/os-hypervisors/host1/servers", user="admin", version="2.52").json
    assert old["hypervisors"][0]["servers"][0]["uuid"] == instance.uuid
    assert api.get("/os-hypervisors/host/search", user="admin",
                   version="2.53").status_int == 404


def test_hypervisor_statistics_and_uptime(api):
    add_host("host2")
    stats = api.get("/os-hypervisors/statistics", user="admin").json["hypervisor_statistics"]
    assert (stats["count"], stats["vcpus"], stats["memory_mb"]) == (2, 16, 32768)
    host = db.host_get("host1")
    resp = api.get(f"/os-hypervisors/{host.uuid}/uptime", user="admin", version="2.60")
    assert resp.status_int == 501
    assert "notImplemented" in resp.json


# --- services ----------------------------------------------------------------------------------


def test_service_list(api):
    add_host("controller", binary="godwit-scheduler")
    services = api.get("/os-services", user="admin", version="2.60").json["services"]
    compute, scheduler = services
    assert set(compute) == {"id", "binary", "host", "zone", "status", "state", "updated_at",
                            "disabled_reason", "forced_down"}
    assert (compute["binary"], compute["zone"], compute["status"], compute["state"]) == \
        ("godwit-compute", "nova", "enabled", "up")
    assert scheduler["zone"] == "internal"
    assert "forced_down" not in api.get("/os-services", user="admin").json["services"][0]
    only = api.get("/os-services?binary=godwit-scheduler", user="admin").json["services"]
    assert [s["host"] for s in only] == ["controller"]


def test_service_update_from_2_53(api):
    service = db.service_list(host="host1")[0]
    resp = api.put(f"/os-services/{service.uuid}",
                   {"status": "disabled", "disabled_reason": "maint"}, user="admin",
                   version="2.53")
    assert resp.status_int == 200, resp.text
    assert (resp.json["service"]["status"], resp.json["service"]["disabled_reason"]) == \
        ("disabled", "maint")
    assert db.service_get(service.uuid).disabled
    resp = api.put(f"/os-services/{service.uuid}", {"status": "enabled",
                                                   "forced_down": True},
                   user="admin", version="2.53")
    updated = db.service_get(service.uuid)
    assert (updated.disabled, updated.disabled_reason, updated.forced_down) == \
        (False, None, True)
    assert resp.json["service"]["state"] == "down"


@pytest.mark.parametrize("action, body, expected", [
    ("disable", {}, {"disabled": True, "disabled_reason": None}),
    ("disable-log-reason", {"disabled_reason": "why"},
     {"disabled": True, "disabled_reason": "why"}),
    ("enable", {}, {"disabled": False, "disabled_reason": None}),
    ("force-down", {"forced_down": True}, {"forced_down": True}),
])
def test_service_actions_before_2_53(api, action, body, expected):
    body = {"host": "host1", "binary": "godwit-compute", **body}
    resp = api.put(f"/os-services/{action}", body, user="admin", version="2.11")
    assert resp.status_int == 200, resp.text
    assert resp.json["service"]["host"] == "host1"
    service = db.service_list(host="host1")[0]
    assert {key: getattr(service, key) for key in expected} == expected


# --- availability zones, aggregates, limits ----------------------------------------------------


def test_availability_zones(api):
    db.host_register("host2", {"hypervisor_type": "xen", "cluster_id": add_cluster()})
    db.service_register("host2", "godwit-compute", "compute")
    add_host("controller", binary="godwit-scheduler")
    zones = api.get("/os-availability-zone", user="reader").json["availabilityZoneInfo"]
    assert zones == [{"zoneName": "nova", "zoneState": {"available": True}, "hosts": None},
                     {"zoneName": "zone-a", "zoneState": {"available": True}, "hosts": None}]
    service = db.service_list(host="host2")[0]
    db.service_update(service.uuid, {"disabled": True})
    detail = api.get("/os-availability-zone/detail", user="admin").json["availabilityZoneInfo"]
    by_name = {zone["zoneName"]: zone for zone in detail}
    assert by_name["zone-a"] == {"zoneName": "zone-a", "zoneState": {"available": False},
                                 "hosts": None}
    assert by_name["internal"]["hosts"]["controller"]["godwit-scheduler"]["active"] is True
    host1 = by_name["nova"]["hosts"]["host1"]["godwit-compute"]
    assert host1["available"] is True and host1["updated_at"]


def test_aggregates_are_clusters(api):
    cluster_id = add_cluster()
    db.host_register("host1", {"cluster_id": cluster_id})
    aggregates = api.get("/os-aggregates", user="admin", version="2.41").json["aggregates"]
    assert len(aggregates) == 1
    assert (aggregates[0]["name"], aggregates[0]["availability_zone"],
            aggregates[0]["hosts"]) == ("pool-1", "zone-a", ["host1"])
    assert "uuid" in aggregates[0]


@pytest.mark.parametrize("version, present, absent", [
    ("2.1", ["maxSecurityGroups", "maxImageMeta", "maxPersonality"], []),
    ("2.36", ["maxImageMeta", "maxPersonality"], ["maxSecurityGroups", "maxTotalFloatingIps"]),
    ("2.39", ["maxPersonality"], ["maxImageMeta"]),
    ("2.57", ["maxTotalInstances"], ["maxPersonality", "maxPersonalitySize"]),
])
def test_limits_by_version(api, version, present, absent):
    add_instance()
    limits = api.get("/limits", user="reader", version=version).json["limits"]
    assert limits["rate"] == []
    assert limits["absolute"]["totalInstancesUsed"] == 1
    assert limits["absolute"]["totalRAMUsed"] == 512
    assert all(key in limits["absolute"] for key in present)
    assert not any(key in limits["absolute"] for key in absent)


def test_admins_see_other_projects_limits(api):
    add_instance()
    absolute = api.get(f"/limits?tenant_id={PROJECT}", user="admin").json["limits"]["absolute"]
    assert absolute["totalInstancesUsed"] == 1
    assert api.get(f"/limits?tenant_id={PROJECT}").status_int == 200
