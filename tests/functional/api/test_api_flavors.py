"""``/flavors``: who sees which flavors, Nova's shapes, and admin create/update/delete."""
import uuid

from godwit.db import api as db


def test_list_is_minimal_and_public_only_for_members(api):
    listed = api.get("/flavors").json
    assert [f["id"] for f in listed["flavors"]] == ["1", "2"]
    assert listed["flavors"][0] == {"id": "1", "name": "m1.tiny", "links": [
        {"rel": "self", "href": "http://localhost/v2.1/flavors/1"},
        {"rel": "bookmark", "href": "http://localhost/flavors/1"}]}
    assert api.get("/flavors?is_public=none").json == listed


def test_detail_shape(api):
    tiny, small = api.get("/flavors/detail").json["flavors"]
    assert tiny == {
        "id": "1", "name": "m1.tiny", "ram": 512, "vcpus": 1, "disk": 1,
        "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": False,
        "os-flavor-access:is_public": True, "rxtx_factor": 1.0, "swap": "",
        "links": tiny["links"]}
    assert small["swap"] == 512
    assert api.get("/flavors/detail", version="2.55").json["flavors"][0]["description"] is None


def test_admins_choose_with_is_public(api):
    def ids(query):
        return [f["id"] for f in api.get(f"/flavors{query}", user="admin").json["flavors"]]
    assert ids("") == ["1", "2", "4"]
    assert ids("?is_public=false") == ["3"]
    assert ids("?is_public=None") == ["1", "2", "3", "4"]


def test_filters_and_paging(api):
    assert [f["id"] for f in api.get("/flavors?minRam=1024").json["flavors"]] == ["2"]
    assert [f["id"] for f in api.get("/flavors?minDisk=2").json["flavors"]] == ["2"]
    page = api.get("/flavors?limit=1").json
    assert [f["id"] for f in page["flavors"]] == ["1"]
    assert page["flavors_links"][0]["href"] == \
        "http://localhost/v2.1/flavors?limit=1&marker=1"
    assert [f["id"] for f in api.get("/flavors?marker=1").json["flavors"]] == ["2"]


def test_show_any_flavor_by_id(api):
    assert api.get("/flavors/3").json["flavor"]["os-flavor-access:is_public"] is False
    resp = api.get("/flavors/nope")
    assert resp.status_int == 404
    assert resp.json["itemNotFound"]["message"] == "Flavor nope could not be found."


def test_extra_specs(api):
    assert api.get("/flavors/1/os-extra_specs").json == {
        "extra_specs": {"hw:cpu_policy": "shared"}}
    assert api.get("/flavors/1/os-extra_specs/hw:cpu_policy").json == {
        "hw:cpu_policy": "shared"}
    assert api.get("/flavors/1/os-extra_specs/none").status_int == 404


def test_admin_creates_updates_and_deletes(api):
    resp = api.post("/flavors", {"flavor": {"name": "m1.huge", "ram": 65536, "vcpus": 16,
                                            "disk": 200, "swap": 1024, "rxtx_factor": 2.0,
                                            "os-flavor-access:is_public": "false",
                                            "description": "big"}},
                    user="admin", version="2.55")
    assert resp.status_int == 200, resp.text
    flavor = resp.json["flavor"]
    uuid.UUID(flavor["id"])
    assert (flavor["name"], flavor["ram"], flavor["swap"], flavor["rxtx_factor"],
            flavor["os-flavor-access:is_public"], flavor["description"]) == \
        ("m1.huge", 65536, 1024, 2.0, False, "big")
    resp = api.put(f"/flavors/{flavor['id']}", {"flavor": {"description": None}},
                   user="admin", version="2.55")
    assert resp.status_int == 200
    assert resp.json["flavor"]["description"] is None
    assert db.flavor_get(flavor["id"]).description is None
    assert api.delete(f"/flavors/{flavor['id']}", user="admin").status_int == 202
    assert api.get(f"/flavors/{flavor['id']}").status_int == 404


def test_create_with_an_id(api):
    for given in ("m1.custom", "auto"):
        resp = api.post("/flavors", {"flavor": {"name": f"n-{given}", "ram": 1, "vcpus": 1,
                                                "disk": 0, "id": given}}, user="admin")
        assert resp.status_int == 200
    assert db.flavor_get("m1.custom").name == "n-m1.custom"
