"""``/servers``: create, list, show, delete and actions, in Nova's shapes and codes."""
import hashlib

import pytest

from godwit.compute import states
from godwit.db import api as db
from tests.functional.api.conftest import (
    IMAGE,
    OTHER_PROJECT,
    PROJECT,
    add_cluster,
    add_host,
    add_instance,
    server_body,
)

# --- create ------------------------------------------------------------------------------------


def test_create_records_schedules_and_casts(api, compute_rpc, scheduler_rpc):
    resp = api.post("/servers", server_body(metadata={"k": "v"}, description="d"),
                    version="2.60")
    assert resp.status_int == 202, resp.text
    server = resp.json["server"]
    assert set(server) == {"id", "links", "OS-DCF:diskConfig"}
    assert server["links"][0] == {"rel": "self",
                                  "href": f"http://localhost/v2.1/servers/{server['id']}"}
    assert server["links"][1]["href"] == f"http://localhost/servers/{server['id']}"
    instance = db.instance_get(server["id"], details=True)
    assert (instance.display_name, instance.project_id, instance.user_id, instance.flavorid,
            instance.image_ref, instance.networks, instance.description) == \
        ("vm", PROJECT, "u-member", "1", IMAGE, "none", "d")
    assert {item.key: item.value for item in instance.metadata_items} == {"k": "v"}
    assert compute_rpc.casts == [("build_and_run_instance", "host1", server["id"])]


def test_create_many_and_return_reservation_id(api, compute_rpc):
    resp = api.post("/servers", server_body(min_count=2, max_count=3,
                                            return_reservation_id=True), version="2.60")
    assert resp.status_int == 202
    assert resp.json["reservation_id"].startswith("r-")
    assert len(compute_rpc.casts) == 3
    created = [db.instance_get(cast[2]) for cast in compute_rpc.casts]
    assert sorted(i.display_name for i in created) == ["vm-1", "vm-2", "vm-3"]
    assert {i.reservation_id for i in created} == {resp.json["reservation_id"]}


def test_create_makes_as_many_as_quota_allows_down_to_min_count(api, compute_rpc):
    from godwit.conf import CONF
    CONF.set_override("instances", 2, group="quota")
    try:
        assert api.post("/servers", server_body(min_count=1, max_count=5),
                        version="2.60").status_int == 202
        assert len(compute_rpc.casts) == 2
        resp = api.post("/servers", server_body(min_count=1, max_count=5), version="2.60")
        assert resp.status_int == 403
        assert "Quota exceeded for instances" in resp.json["forbidden"]["message"]
    finally:
        CONF.clear_override("instances", group="quota")


def test_create_without_a_host_leaves_the_server_in_error_with_a_fault(api, scheduler_rpc):
    scheduler_rpc.hosts = []
    resp = api.post("/servers", server_body(), version="2.60")
    assert resp.status_int == 202
    shown = api.get(f"/servers/{resp.json['server']['id']}").json["server"]
    assert shown["status"] == "ERROR"
    assert shown["fault"]["code"] == 500
    assert "No valid host" in shown["fault"]["message"]
    assert shown["fault"]["created"].endswith("Z")


@pytest.mark.parametrize("version, networks, stored", [
    ("2.1", None, "auto"), ("2.36", [], "auto"), ("2.37", "none", "none"),
    ("2.37", "auto", "auto")])
def test_networks_none_and_auto(api, version, networks, stored):
    body = server_body()
    if networks is None:
        del body["server"]["networks"]
    else:
        body["server"]["networks"] = networks
    resp = api.post("/servers", body, version=version)
    assert resp.status_int == 202, resp.text
    assert db.instance_get(resp.json["server"]["id"]).networks == stored


def test_the_block_device_mapping_openstackclient_sends_is_accepted(api):
    body = server_body(block_device_mapping_v2=[{
        "uuid": IMAGE, "boot_index": 0, "source_type": "image", "destination_type": "local",
        "delete_on_termination": True}])
    assert api.post("/servers", body, version="2.60").status_int == 202


def test_description_is_the_name_before_2_19(api):
    body = server_body(name="web")
    del body["server"]["networks"]
    resp = api.post("/servers", body, version="2.18")
    assert resp.status_int == 202
    shown = api.get(f"/servers/{resp.json['server']['id']}", version="2.19").json["server"]
    assert shown["description"] == "web"


def test_create_in_an_availability_zone(api, scheduler_rpc):
    resp = api.post("/servers", server_body(availability_zone="nova"), version="2.60")
    assert resp.status_int == 202
    assert scheduler_rpc.calls[0][0]["availability_zone"] == "nova"
    resp = api.post("/servers", server_body(availability_zone="mars"), version="2.60")
    assert resp.status_int == 400
    assert resp.json["badRequest"]["message"] == (
        "Invalid input for field/attribute availability_zone. The requested availability "
        "zone mars does not exist.")


# --- show --------------------------------------------------------------------------------------


def test_show_at_2_1(api):
    instance = add_instance(launched_at=None)
    server = api.get(f"/servers/{instance.uuid}").json["server"]
    assert server["id"] == instance.uuid
    assert server["status"] == "ACTIVE"
    assert server["tenant_id"] == PROJECT and server["user_id"] == "u-member"
    assert server["hostId"] == hashlib.sha224((PROJECT + "host1").encode()).hexdigest()
    assert server["flavor"] == {"id": "1", "links": [
        {"rel": "bookmark", "href": "http://localhost/flavors/1"}]}
    assert server["image"] == {"id": IMAGE, "links": [
        {"rel": "bookmark", "href": f"http://localhost/images/{IMAGE}"}]}
    assert server["metadata"] == {"role": "web"}
    assert server["addresses"] == {}
    assert server["OS-EXT-STS:vm_state"] == "active"
    assert server["OS-EXT-STS:task_state"] is None
    assert server["OS-EXT-STS:power_state"] == 1
    assert server["OS-EXT-AZ:availability_zone"] == "nova"
    assert server["progress"] == 0
    assert server["created"].endswith("Z") and server["updated"].endswith("Z")
    for absent in ("locked", "description", "tags", "host_status", "fault",
                   "OS-EXT-SRV-ATTR:host"):
        assert absent not in server


def test_show_at_2_60(api):
    instance = add_instance(description="about it")
    server = api.get(f"/servers/{instance.uuid}", version="2.60").json["server"]
    assert server["flavor"] == {"vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0, "swap": 0,
                                "original_name": "m1.tiny",
                                "extra_specs": {"hw:cpu_policy": "shared"}}
    assert server["locked"] is False
    assert server["description"] == "about it"
    assert server["tags"] == []
    assert "host_status" not in server


def test_admins_see_extended_attributes_and_host_status(api):
    instance = add_instance(name="Web Server_1")
    server = api.get(f"/servers/{instance.uuid}", user="admin", version="2.60").json["server"]
    assert server["OS-EXT-SRV-ATTR:host"] == "host1"
    assert server["OS-EXT-SRV-ATTR:hypervisor_hostname"] == "host1"
    assert server["OS-EXT-SRV-ATTR:instance_name"] == f"instance-{instance.id:08x}"
    assert server["OS-EXT-SRV-ATTR:hostname"] == "web-server-1"
    assert server["OS-EXT-SRV-ATTR:reservation_id"] == "r-test"
    assert server["host_status"] == "UP"
    old = api.get(f"/servers/{instance.uuid}", user="admin", version="2.2").json["server"]
    assert "OS-EXT-SRV-ATTR:host" in old and "OS-EXT-SRV-ATTR:hostname" not in old


@pytest.mark.parametrize("service_change, expected", [
    ({"disabled": True}, "MAINTENANCE"), ({"forced_down": True}, "DOWN")])
def test_host_status_follows_the_compute_service(api, service_change, expected):
    instance = add_instance()
    service = db.service_list(host="host1")[0]
    db.service_update(service.uuid, service_change)
    server = api.get(f"/servers/{instance.uuid}", user="admin", version="2.16").json["server"]
    assert server["host_status"] == expected


def test_other_projects_servers_are_not_found(api):
    instance = add_instance(project=OTHER_PROJECT)
    for resp in (api.get(f"/servers/{instance.uuid}"),
                 api.delete(f"/servers/{instance.uuid}"),
                 api.post(f"/servers/{instance.uuid}/action", {"os-stop": None})):
        assert resp.status_int == 404
        assert resp.json["itemNotFound"]["message"] == \
            f"Instance {instance.uuid} could not be found."
    assert api.get(f"/servers/{instance.uuid}", user="admin").status_int == 200


@pytest.mark.parametrize("server_id", ["1", "not-a-uuid", "detail2", "x" * 300])
def test_ids_that_are_not_uuids_are_not_found(api, server_id):
    resp = api.get(f"/servers/{server_id}")
    assert resp.status_int == 404
    assert resp.json["itemNotFound"]["message"] == f"Instance {server_id} could not be found."


# --- list --------------------------------------------------------------------------------------


def test_list_is_minimal_and_detail_is_full(api):
    first, second = add_instance(name="a"), add_instance(name="b")
    add_instance(project=OTHER_PROJECT, name="theirs")
    listed = api.get("/servers").json
    assert [s["id"] for s in listed["servers"]] == [second.uuid, first.uuid]
    assert set(listed["servers"][0]) == {"id", "name", "links"}
    assert "servers_links" not in listed
    detailed = api.get("/servers/detail").json["servers"]
    assert detailed[0]["status"] == "ACTIVE" and detailed[0]["name"] == "b"


def test_paging_with_limit_and_marker(api):
    uuids = [add_instance(name=f"vm{i}").uuid for i in range(5)][::-1]
    page = api.get("/servers?limit=2").json
    assert [s["id"] for s in page["servers"]] == uuids[:2]
    assert page["servers_links"] == [{"rel": "next", "href":
                                      f"http://localhost/v2.1/servers?limit=2&marker={uuids[1]}"}]
    page = api.get(f"/servers/detail?limit=2&marker={uuids[3]}").json
    assert [s["id"] for s in page["servers"]] == uuids[4:]
    assert "servers_links" not in page


def test_limit_is_capped_by_max_limit(api):
    from godwit.conf import CONF
    for i in range(3):
        add_instance(name=f"vm{i}")
    CONF.set_override("max_limit", 2, group="api")
    try:
        page = api.get("/servers?limit=50").json
    finally:
        CONF.clear_override("max_limit", group="api")
    assert len(page["servers"]) == 2
    assert "marker=" in page["servers_links"][0]["href"]


def test_filters(api):
    add_instance(name="web-1")
    add_instance(name="db-1", vm_state=states.STOPPED)
    add_instance(name="web-2", task_state=states.REBOOTING)
    add_instance(name="web-3", host="host2")

    def names(query, **kwargs):
        resp = api.get(f"/servers/detail?{query}", **kwargs)
        assert resp.status_int == 200, resp.text
        return sorted(s["name"] for s in resp.json["servers"])

    assert names("name=web") == ["web-1", "web-2", "web-3"]
    assert names("status=SHUTOFF") == ["db-1"]
    assert names("status=active") == ["web-1", "web-3"]
    assert names("status=REBOOT&status=SHUTOFF") == ["db-1", "web-2"]
    assert names("status=SHELVED") == []
    assert names("host=host2") == ["db-1", "web-1", "web-2", "web-3"]  # admins only
    assert names("host=host2", user="admin") == []
    assert names("host=host2&all_tenants=1", user="admin") == ["web-3"]
    assert names("ip=10.0.0.1") == []
    assert names("changes-since=2000-01-01T00:00:00Z") == ["db-1", "web-1", "web-2", "web-3"]
    assert names("changes-since=2999-01-01T00:00:00Z") == []
    assert names("tags=a", version="2.26") == []


def test_filter_by_status_with_limit_fills_the_page(api):
    for i in range(4):
        add_instance(name=f"up{i}")
        add_instance(name=f"down{i}", vm_state=states.STOPPED)
    page = api.get("/servers?status=SHUTOFF&limit=3").json
    assert [s["name"] for s in page["servers"]] == ["down3", "down2", "down1"]
    rest = api.get(page["servers_links"][0]["href"].split("/v2.1", 1)[1]).json
    assert [s["name"] for s in rest["servers"]] == ["down0"]


def test_unknown_status_is_empty_before_2_38_and_400_after(api):
    add_instance()
    assert api.get("/servers?status=BOGUS", version="2.37").json["servers"] == []
    resp = api.get("/servers?status=BOGUS", version="2.38")
    assert resp.status_int == 400
    assert "BOGUS" in resp.json["badRequest"]["message"]


def test_all_tenants_is_for_admins(api):
    add_instance(project=PROJECT)
    add_instance(project=OTHER_PROJECT)
    assert len(api.get("/servers?all_tenants=true", user="admin").json["servers"]) == 2
    assert len(api.get("/servers", user="admin").json["servers"]) == 0
    assert len(api.get(f"/servers?all_tenants&project_id={OTHER_PROJECT}",
                       user="admin").json["servers"]) == 1
    resp = api.get("/servers/detail?all_tenants=1")
    assert resp.status_int == 403
    assert "get_all_tenants" in resp.json["forbidden"]["message"]
    assert api.get("/servers?all_tenants=False&deleted=False").status_int == 200


# --- delete and actions ------------------------------------------------------------------------


def test_delete_casts_to_the_host(api, compute_rpc):
    instance = add_instance()
    resp = api.delete(f"/servers/{instance.uuid}")
    assert resp.status_int == 204
    assert resp.body == b""
    assert compute_rpc.casts == [("terminate_instance", "host1", instance.uuid)]
    assert db.instance_get(instance.uuid).task_state == states.DELETING


@pytest.mark.parametrize("host", [None, "host-down"])
def test_delete_without_a_live_host_happens_at_once(api, compute_rpc, host):
    """A server that never got a host, or whose host is down, is deleted by the API."""
    if host:
        service = add_host(host)
        db.service_update(service.uuid, {"forced_down": True})
    instance = add_instance(host=host, vm_state=states.ERROR)
    assert api.delete(f"/servers/{instance.uuid}").status_int == 204
    assert compute_rpc.casts == []
    assert api.get(f"/servers/{instance.uuid}").status_int == 404
    assert db.instance_list(filters={"host": host}) == []


@pytest.mark.parametrize("body, vm_state, cast, task_state", [
    ({"os-stop": None}, states.ACTIVE, "stop_instance", states.POWERING_OFF),
    ({"os-start": None}, states.STOPPED, "start_instance", states.POWERING_ON),
    ({"reboot": {"type": "SOFT"}}, states.ACTIVE, "reboot_instance", states.REBOOTING),
    ({"reboot": {"type": "hard"}}, states.ACTIVE, "reboot_instance", states.REBOOTING_HARD),
])
def test_actions_are_202_and_cast(api, compute_rpc, body, vm_state, cast, task_state):
    instance = add_instance(vm_state=vm_state)
    resp = api.post(f"/servers/{instance.uuid}/action", body)
    assert resp.status_int == 202, resp.text
    assert compute_rpc.casts == [(cast, "host1", instance.uuid)]
    assert db.instance_get(instance.uuid).task_state == task_state


def test_action_in_the_wrong_state_is_409(api, compute_rpc):
    instance = add_instance(vm_state=states.ACTIVE)
    resp = api.post(f"/servers/{instance.uuid}/action", {"os-start": None})
    assert resp.status_int == 409
    assert "Cannot 'start' instance" in resp.json["conflictingRequest"]["message"]
    assert compute_rpc.casts == []


def test_readers_may_look_but_not_act(api, compute_rpc):
    instance = add_instance()
    assert api.get(f"/servers/{instance.uuid}", user="reader").status_int == 200
    assert api.get("/servers", user="reader").status_int == 200
    for resp in (api.post("/servers", server_body(), user="reader", version="2.60"),
                 api.delete(f"/servers/{instance.uuid}", user="reader"),
                 api.post(f"/servers/{instance.uuid}/action", {"os-stop": None},
                          user="reader")):
        assert resp.status_int == 403
    assert compute_rpc.casts == []


def test_a_server_on_a_host_in_a_zone_reports_that_zone(api):
    cluster_id = add_cluster("pool")
    add_host("host9")
    db.host_register("host9", {"cluster_id": cluster_id})
    instance = add_instance(host="host9")
    server = api.get(f"/servers/{instance.uuid}").json["server"]
    assert server["OS-EXT-AZ:availability_zone"] == "zone-a"
    assert api.post("/servers", server_body(availability_zone="zone-a"),
                    version="2.60").status_int == 202
