"""Zones > pods > clusters > hosts through the admin API, and zones through the Compute API:
every rule and error, as an admin, a member, and a member of another project."""
import pytest

from godwit.db import api as db
from godwit.db import models
from tests.functional.api.conftest import (
    add_host,
    add_instance,
    count_rows,
    error_message,
    server_body,
)

MISSING = "0b7c6a5e-1d2f-4a3b-8c9d-0e1f2a3b4c5d"
NOT_ADMINS = ("member", "other")
LEVELS = ("zones", "pods", "clusters", "hosts")


def _create(admin_api, key, user="admin", **fields):
    return admin_api.post(f"/v1/{key}s", {key: fields}, user=user)


def _made(admin_api, key, **fields):
    resp = _create(admin_api, key, **fields)
    assert resp.status_int == 201, resp.text
    return resp.json[key]


def _patch(admin_api, key, row_id, fields, user="admin"):
    return admin_api.request("PATCH", f"/v1/{key}s/{row_id}", body={key: fields}, user=user)


@pytest.fixture
def tree(admin_api):
    """An Enabled zone-a > pod-a > cluster-a > host-a, and a Disabled zone-off."""
    zone = _made(admin_api, "zone", name="zone-a", allocationstate="Enabled")
    pod = _made(admin_api, "pod", name="pod-a", zone_id=zone["id"], allocationstate="Enabled")
    cluster = _made(admin_api, "cluster", name="cluster-a", pod_id=pod["id"],
                    hypervisor_type="xen", allocationstate="Enabled")
    host = _made(admin_api, "host", name="host-a", cluster_id=cluster["id"],
                 allocationstate="Enabled")
    off = _made(admin_api, "zone", name="zone-off")
    return {"zone": zone, "pod": pod, "cluster": cluster, "host": host, "off": off}


# --- creating, showing, listing, changing, deleting as an admin ------------------------------


def test_new_rows_are_disabled_and_show_their_parents(admin_api):
    zone = _made(admin_api, "zone", name="z1")
    pod = _made(admin_api, "pod", name="p1", zone_id=zone["id"])
    cluster = _made(admin_api, "cluster", name="c1", pod_id=pod["id"], hypervisor_type="xen")
    host = _made(admin_api, "host", name="h1", cluster_id=cluster["id"])
    assert [row["allocation_state"] for row in (zone, pod, cluster, host)] == ["Disabled"] * 4
    assert set(zone) == {"id", "name", "allocation_state", "created_at", "updated_at"}
    assert pod["zone_id"] == zone["id"]
    assert (cluster["pod_id"], cluster["zone_id"], cluster["hypervisor_type"],
            cluster["managed_state"]) == (pod["id"], zone["id"], "xen", "Managed")
    assert (host["cluster_id"], host["pod_id"], host["zone_id"]) == \
        (cluster["id"], pod["id"], zone["id"])
    assert (host["hypervisor_type"], host["vcpus"], host["vcpus_used"], host["running_vms"],
            host["maintenance_state"]) == ("xen", 0, 0, 0, "ready")
    assert zone["created_at"].endswith("Z") and zone["updated_at"] is None


def test_show_by_id_and_a_zone_by_name(admin_api, tree):
    for key in ("zone", "pod", "cluster", "host"):
        resp = admin_api.get(f"/v1/{key}s/{tree[key]['id']}", user="admin")
        assert resp.status_int == 200 and resp.json[key] == tree[key]
    assert admin_api.get("/v1/zones/zone-a", user="admin").json["zone"] == tree["zone"]
    assert admin_api.get("/v1/zones/zone-off", user="admin").json["zone"] == tree["off"]


@pytest.mark.parametrize("level", LEVELS)
def test_unknown_ids_are_404(admin_api, level):
    for ref in (MISSING, "not-a-uuid"):
        for resp in (admin_api.get(f"/v1/{level}/{ref}", user="admin"),
                     admin_api.request("PATCH", f"/v1/{level}/{ref}",
                                       body={level[:-1]: {"allocationstate": "Enabled"}},
                                       user="admin"),
                     admin_api.delete(f"/v1/{level}/{ref}", user="admin")):
            assert ref in error_message(resp, 404)
    assert "Zone nowhere could not be found." == error_message(
        admin_api.get("/v1/zones/nowhere", user="admin"), 404)


def test_lists_filter_on_state_and_parents(admin_api, tree):
    pod_b = _made(admin_api, "pod", name="pod-b", zone_id=tree["off"]["id"])
    cluster_b = _made(admin_api, "cluster", name="cluster-b", pod_id=pod_b["id"],
                      hypervisor_type="fake")
    host_b = _made(admin_api, "host", name="host-b", cluster_id=cluster_b["id"])

    def names(path):
        resp = admin_api.get(path, user="admin")
        assert resp.status_int == 200, resp.text
        return [row["name"] for row in next(iter(resp.json.values()))]

    assert names("/v1/zones") == ["zone-a", "zone-off"]
    assert names("/v1/zones?allocationstate=Disabled") == ["zone-off"]
    assert names("/v1/zones?allocationstate=Enabled") == ["zone-a"]
    assert names("/v1/pods") == ["pod-a", "pod-b"]
    assert names(f"/v1/pods?zone_id={tree['off']['id']}") == ["pod-b"]
    assert names("/v1/pods?allocationstate=Enabled") == ["pod-a"]
    assert names(f"/v1/clusters?zone_id={tree['zone']['id']}") == ["cluster-a"]
    assert names(f"/v1/clusters?pod_id={pod_b['id']}&allocationstate=Disabled") == \
        ["cluster-b"]
    assert names(f"/v1/clusters?pod_id={pod_b['id']}&allocationstate=Enabled") == []
    assert names("/v1/hosts?allocationstate=Disabled") == ["host1", "host-b"]
    assert names(f"/v1/hosts?cluster_id={cluster_b['id']}") == [host_b["name"]]
    assert names(f"/v1/hosts?cluster_id={MISSING}") == []


def test_update_name_and_state(admin_api, tree):
    for key in ("zone", "pod", "cluster"):
        resp = _patch(admin_api, key, tree[key]["id"],
                      {"name": f"{key}-renamed", "allocationstate": "Disabled"})
        assert resp.status_int == 200, resp.text
        assert (resp.json[key]["name"], resp.json[key]["allocation_state"]) == \
            (f"{key}-renamed", "Disabled")
        assert resp.json[key]["updated_at"] is not None
    resp = _patch(admin_api, "host", tree["host"]["id"], {"allocationstate": "Disabled"})
    assert resp.json["host"]["allocation_state"] == "Disabled"
    assert db.host_get("host-a").allocation_state == "Disabled"


def test_a_host_moves_between_clusters_and_out_of_any(admin_api, tree):
    other = _made(admin_api, "cluster", name="cluster-2", pod_id=tree["pod"]["id"],
                  hypervisor_type="xen")
    resp = _patch(admin_api, "host", tree["host"]["id"], {"cluster_id": other["id"]})
    assert resp.json["host"]["cluster_id"] == other["id"]
    assert resp.json["host"]["allocation_state"] == "Enabled"
    resp = _patch(admin_api, "host", tree["host"]["id"], {"cluster_id": None})
    assert (resp.json["host"]["cluster_id"], resp.json["host"]["zone_id"]) == (None, None)
    assert db.host_get("host-a").cluster_id is None


def test_delete_what_holds_nothing(admin_api, tree):
    for key in ("host", "cluster", "pod", "zone"):
        resp = admin_api.delete(f"/v1/{key}s/{tree[key]['id']}", user="admin")
        assert resp.status_int == 204, resp.text
        assert admin_api.get(f"/v1/{key}s/{tree[key]['id']}", user="admin").status_int == 404
    assert count_rows(models.Zone) == 1


@pytest.mark.parametrize("key, child, holds", [
    ("zone", "pod", "still holds 1 pods"),
    ("pod", "cluster", "still holds 1 clusters"),
    ("cluster", "host", "still holds 1 hosts"),
])
def test_delete_refused_while_children_remain(admin_api, tree, key, child, holds):
    message = error_message(admin_api.delete(f"/v1/{key}s/{tree[key]['id']}", user="admin"), 409)
    assert holds in message and tree[key]["name"] in message
    assert admin_api.get(f"/v1/{key}s/{tree[key]['id']}", user="admin").status_int == 200


def test_delete_host_refused_while_instances_are_on_it(admin_api, tree):
    instance = add_instance(host="host-a")
    message = error_message(admin_api.delete(f"/v1/hosts/{tree['host']['id']}", user="admin"), 409)
    assert message == "Host host-a still holds 1 instances: remove them first."
    db.instance_update(instance.uuid, {"deleted": True})
    assert admin_api.delete(f"/v1/hosts/{tree['host']['id']}", user="admin").status_int == 204


# --- a host added by an admin, then registered by its compute worker -------------------------


def test_a_registering_worker_fills_in_an_added_host_and_keeps_its_place(admin_api, tree):
    add_host("host-a")  # what the worker's register_host does, with its capacity
    shown = admin_api.get(f"/v1/hosts/{tree['host']['id']}", user="admin").json["host"]
    assert (shown["cluster_id"], shown["allocation_state"]) == (tree["cluster"]["id"],
                                                                "Enabled")
    assert (shown["vcpus"], shown["memory_mb"], shown["disk_gb"],
            shown["hypervisor_version"]) == (8, 16384, 500, "8.2.1")


# --- bad input: a 400 naming the field, nothing changed --------------------------------------


@pytest.mark.parametrize("key, fields, field", [
    ("zone", {}, "name"),
    ("zone", {"name": "z", "allocationstate": "On"}, "allocationstate"),
    ("zone", {"name": ""}, "name"),
    ("zone", {"name": " padded"}, "name"),
    ("zone", {"name": "z", "colour": "red"}, "colour"),
    ("pod", {"name": "p"}, "zone_id"),
    ("pod", {"name": "p", "zone_id": "zone-a"}, "zone_id"),
    ("pod", {"name": "p", "zone_id": MISSING}, "zone_id"),
    ("cluster", {"name": "c", "pod_id": MISSING, "hypervisor_type": "xen"}, "pod_id"),
    ("cluster", {"name": "c", "hypervisor_type": "xen"}, "pod_id"),
    ("cluster", {"name": "c", "pod_id": "POD"}, "hypervisor_type"),
    ("host", {"name": "h", "cluster_id": MISSING}, "cluster_id"),
    ("host", {"name": "h", "cluster_id": MISSING, "allocationstate": "enabled"},
     "allocationstate"),
])
def test_bad_create_bodies(admin_api, tree, key, fields, field):
    if fields.get("pod_id") == "POD":
        fields = dict(fields, pod_id=tree["pod"]["id"])
    before = [count_rows(model) for model in (models.Zone, models.Pod, models.Cluster,
                                              models.Host)]
    message = error_message(_create(admin_api, key, **fields), 400)
    assert field in message
    assert before == [count_rows(model) for model in (models.Zone, models.Pod,
                                                      models.Cluster, models.Host)]


@pytest.mark.parametrize("key, fields, field", [
    ("zone", {}, "zone"),
    ("zone", {"allocationstate": "Maybe"}, "allocationstate"),
    ("pod", {"zone_id": MISSING}, "zone_id"),
    ("cluster", {"hypervisor_type": "fake"}, "hypervisor_type"),
    ("host", {"name": "renamed"}, "name"),
    ("host", {"cluster_id": MISSING}, "cluster_id"),
    ("host", {"cluster_id": "nope"}, "cluster_id"),
])
def test_bad_update_bodies(admin_api, tree, key, fields, field):
    message = error_message(_patch(admin_api, key, tree[key]["id"], fields), 400)
    assert field in message
    shown = admin_api.get(f"/v1/{key}s/{tree[key]['id']}", user="admin").json[key]
    assert shown == tree[key]


@pytest.mark.parametrize("level", LEVELS)
def test_bad_list_filters(admin_api, level):
    assert "allocationstate" in error_message(
        admin_api.get(f"/v1/{level}?allocationstate=enabled", user="admin"), 400)
    assert "allocationstate" in error_message(
        admin_api.get(f"/v1/{level}?allocationstate=Enabled&allocationstate=Disabled",
                      user="admin"), 400)
    assert "colour" in error_message(admin_api.get(f"/v1/{level}?colour=red", user="admin"), 400)


def test_bad_parent_filters(admin_api):
    assert "zone_id" in error_message(admin_api.get("/v1/pods?zone_id=x", user="admin"), 400)
    assert "pod_id" in error_message(admin_api.get("/v1/clusters?pod_id=x", user="admin"), 400)
    assert "cluster_id" in error_message(admin_api.get("/v1/hosts?cluster_id=x", user="admin"), 400)


def test_malformed_bodies(admin_api):
    resp = admin_api.post("/v1/zones", raw=b"{not json", user="admin")
    assert "Malformed request body" in error_message(resp, 400)
    assert "zone" in error_message(admin_api.post("/v1/zones", {"name": "z"}, user="admin"), 400)


# --- duplicates: 409 --------------------------------------------------------------------------


def test_duplicate_names_in_one_parent_conflict(admin_api, tree):
    assert error_message(_create(admin_api, "zone", name="zone-a"), 409) == \
        "Zone zone-a already exists."
    assert "Pod pod-a already exists." == error_message(
        _create(admin_api, "pod", name="pod-a", zone_id=tree["zone"]["id"]), 409)
    assert "Cluster cluster-a" in error_message(
        _create(admin_api, "cluster", name="cluster-a", pod_id=tree["pod"]["id"],
                hypervisor_type="xen"), 409)
    assert "Host host-a" in error_message(
        _create(admin_api, "host", name="host-a", cluster_id=tree["cluster"]["id"]), 409)
    assert "Host host1" in error_message(
        _create(admin_api, "host", name="host1", cluster_id=tree["cluster"]["id"]), 409)
    assert "Zone zone-off" in error_message(
        _patch(admin_api, "zone", tree["zone"]["id"], {"name": "zone-off"}), 409)
    # the same pod name in another zone is fine
    _made(admin_api, "pod", name="pod-a", zone_id=tree["off"]["id"])
    pod_b = _made(admin_api, "pod", name="pod-b", zone_id=tree["zone"]["id"])
    assert "Pod pod-a" in error_message(_patch(admin_api, "pod", pod_b["id"], {"name": "pod-a"}),
                                   409)


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("user", NOT_ADMINS + ("reader",))
def test_only_admins_change_anything_or_see_below_zones(admin_api, tree, user):
    for key in ("zone", "pod", "cluster", "host"):
        row_id = tree[key]["id"]
        for resp in (_create(admin_api, key, user=user, name="x"),
                     _patch(admin_api, key, row_id, {"allocationstate": "Disabled"}, user=user),
                     admin_api.delete(f"/v1/{key}s/{row_id}", user=user)):
            assert error_message(resp, 403) == "Permission denied"
        if key != "zone":
            assert admin_api.get(f"/v1/{key}s", user=user).status_int == 403
            assert admin_api.get(f"/v1/{key}s/{row_id}", user=user).status_int == 403
    assert count_rows(models.Zone) == 2
    assert db.host_get("host-a").allocation_state == "Enabled"


@pytest.mark.parametrize("user", NOT_ADMINS)
def test_others_see_only_enabled_zones(admin_api, tree, user):
    listed = admin_api.get("/v1/zones", user=user).json["zones"]
    assert listed == [tree["zone"]]
    assert admin_api.get("/v1/zones?allocationstate=Disabled", user=user).json["zones"] == []
    assert admin_api.get("/v1/zones?allocationstate=Enabled", user=user).json["zones"] == \
        [tree["zone"]]
    assert admin_api.get(f"/v1/zones/{tree['zone']['id']}", user=user).json["zone"] == \
        tree["zone"]
    assert admin_api.get("/v1/zones/zone-a", user=user).status_int == 200
    for ref in (tree["off"]["id"], "zone-off"):
        assert error_message(admin_api.get(f"/v1/zones/{ref}", user=user), 404) == \
            f"Zone {ref} could not be found."
    assert "allocationstate" in error_message(
        admin_api.get("/v1/zones?allocationstate=off", user=user), 400)


# --- zones in the Compute API -------------------------------------------------------------------


def _zone_names(api, user):
    zones = api.get("/os-availability-zone", user=user).json["availabilityZoneInfo"]
    return {zone["zoneName"]: zone["zoneState"]["available"] for zone in zones}


def test_availability_zones_hide_disabled_zones_from_non_admins(api, admin_api, tree):
    add_host("host-a")  # an up compute service in zone-a
    expected = {"nova": True, "zone-a": True}
    for user in NOT_ADMINS + ("reader",):
        assert _zone_names(api, user) == expected
    assert _zone_names(api, "admin") == {**expected, "zone-off": False}
    detail = api.get("/os-availability-zone/detail", user="admin").json["availabilityZoneInfo"]
    assert {zone["zoneName"]: zone["zoneState"]["available"] for zone in detail} == \
        {**expected, "zone-off": False}
    _patch(admin_api, "zone", tree["zone"]["id"], {"allocationstate": "Disabled"})
    assert _zone_names(api, "member") == {"nova": True}
    assert _zone_names(api, "admin") == {"nova": True, "zone-a": False, "zone-off": False}


@pytest.mark.parametrize("user", NOT_ADMINS)
def test_non_admins_cannot_create_servers_in_a_disabled_zone(api, admin_api, tree,
                                                              compute_rpc, user):
    add_host("host-a")
    _patch(admin_api, "zone", tree["zone"]["id"], {"allocationstate": "Disabled"})
    resp = api.post("/servers", server_body(availability_zone="zone-a"), user=user,
                    version="2.60")
    assert error_message(resp, 400) == ("Zone zone-a is disabled: only cloud administrators may "
                                   "create resources in it.")
    assert count_rows(models.Instance) == 0 and compute_rpc.casts == []


def test_admins_may_create_servers_in_a_disabled_zone(api, admin_api, tree):
    add_host("host-a")
    _patch(admin_api, "zone", tree["zone"]["id"], {"allocationstate": "Disabled"})
    resp = api.post("/servers", server_body(availability_zone="zone-a"), user="admin",
                    version="2.60")
    assert resp.status_int == 202, resp.text
    assert count_rows(models.Instance) == 1


@pytest.mark.parametrize("user", NOT_ADMINS + ("admin",))
def test_servers_in_an_enabled_zone_and_unknown_zones(api, tree, user):
    add_host("host-a")
    assert api.post("/servers", server_body(availability_zone="zone-a"), user=user,
                    version="2.60").status_int == 202
    message = error_message(api.post("/servers", server_body(availability_zone="atlantis"),
                                user=user, version="2.60"), 400)
    assert message.startswith("Invalid input for field/attribute availability_zone.")
    assert "atlantis does not exist" in message


def test_a_zone_without_compute_services_is_not_available(api, tree):
    resp = api.post("/servers", server_body(availability_zone="zone-a"), version="2.60")
    assert "availability zone is not available" in error_message(resp, 400)
