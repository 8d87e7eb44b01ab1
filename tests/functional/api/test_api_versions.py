"""Version documents and microversion negotiation, as clients discover and use them."""
import pytest

from godwit.api.openstack import microversion

MAX = microversion.to_string(microversion.MAX_VERSION)


def test_root_lists_only_v21_current(root_api):
    resp = root_api.get("/", user=None)
    assert resp.status_int == 200
    assert resp.json == {"versions": [{
        "id": "v2.1", "status": "CURRENT", "version": MAX, "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": "http://localhost/v2.1/"},
                  {"rel": "describedby", "type": "text/html",
                   "href": "http://docs.openstack.org/"}]}]}


@pytest.mark.parametrize("path", ["", "/"])
def test_v21_document_needs_no_caller(api, path):
    resp = api.get(path, user=None)
    assert resp.status_int == 200
    version = resp.json["version"]
    assert (version["id"], version["status"], version["version"], version["min_version"]) == \
        ("v2.1", "CURRENT", MAX, "2.1")
    assert version["links"][0] == {"rel": "self", "href": "http://localhost/v2.1/"}
    assert version["media-types"][0]["type"] == \
        "application/vnd.openstack.compute+json;version=2.1"


@pytest.mark.parametrize("headers, expected", [
    ({}, "2.1"),
    ({"OpenStack-API-Version": "compute 2.47"}, "2.47"),
    ({"OpenStack-API-Version": "compute latest"}, MAX),
    ({"X-OpenStack-Nova-API-Version": "2.19"}, "2.19"),
    ({"OpenStack-API-Version": "compute 2.9", "X-OpenStack-Nova-API-Version": "2.19"}, "2.9"),
    ({"OpenStack-API-Version": "volume 3.1"}, "2.1"),
    ({"OpenStack-API-Version": "volume 3.1, compute 2.33"}, "2.33"),
])
def test_negotiated_version_is_echoed(api, headers, expected):
    resp = api.get("/flavors", headers=headers)
    assert resp.status_int == 200
    assert resp.headers["OpenStack-API-Version"] == f"compute {expected}"
    assert resp.headers["X-OpenStack-Nova-API-Version"] == expected
    assert "OpenStack-API-Version" in resp.headers["Vary"]
    assert "X-OpenStack-Nova-API-Version" in resp.headers["Vary"]


@pytest.mark.parametrize("version", ["2.0", "1.1", "3.0", "2.75", "2.1000"])
def test_versions_outside_the_range_are_406(api, version):
    resp = api.get("/flavors", version=version)
    assert resp.status_int == 406
    assert resp.json["computeFault"]["message"] == (
        f"Version {version} is not supported by the API. Minimum is 2.1 and maximum is {MAX}.")
    assert "OpenStack-API-Version" in resp.headers["Vary"]


@pytest.mark.parametrize("version", ["2", "2.x", "two", "2.01", "v2.1", "2.1.1", ""])
def test_malformed_versions_are_400(api, version):
    resp = api.get("/flavors", headers={"X-OpenStack-Nova-API-Version": version or " "})
    assert resp.status_int == 400
    assert "is of invalid format" in resp.json["badRequest"]["message"]


def test_version_gated_routes_are_404_outside_their_range(api):
    assert api.put("/flavors/1", {"flavor": {"description": "x"}}, user="admin",
                   version="2.54").status_int == 404
    assert api.put("/os-services/disable", {"host": "host1", "binary": "godwit-compute"},
                   user="admin", version="2.53").status_int == 404


def test_project_id_prefix_is_optional(api):
    from tests.functional.api.conftest import PROJECT
    plain = api.get("/flavors")
    prefixed = api.get(f"/{PROJECT}/flavors")
    assert prefixed.status_int == 200
    assert prefixed.json == plain.json
    assert api.get("/someone-else/flavors").status_int == 404


def test_unknown_paths_and_methods(api):
    assert api.get("/nothing-here").status_int == 404
    resp = api.request("PATCH", "/servers")
    assert resp.status_int == 405
    assert resp.json["badMethod"]["code"] == 405
