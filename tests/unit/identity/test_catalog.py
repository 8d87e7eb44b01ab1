import pytest

from godwit.conf import CONF
from godwit.identity import catalog


@pytest.fixture
def public_endpoint():
    CONF.set_override("public_endpoint", "https://cloud.example.com:8774/", group="api")
    yield "https://cloud.example.com:8774"
    CONF.clear_override("public_endpoint", group="api")


def test_catalog_lists_compute_image_and_identity_on_every_interface(public_endpoint):
    entries = catalog.build_catalog()
    assert [(e["type"], e["name"]) for e in entries] == [
        ("compute", "nova"), ("image", "glance"), ("identity", "keystone")]
    urls = {e["type"]: {ep["url"] for ep in e["endpoints"]} for e in entries}
    assert urls == {"compute": {f"{public_endpoint}/v2.1"},
                    "image": {f"{public_endpoint}/image"},
                    "identity": {f"{public_endpoint}/identity"}}
    for entry in entries:
        assert sorted(ep["interface"] for ep in entry["endpoints"]) == [
            "admin", "internal", "public"]
        for endpoint in entry["endpoints"]:
            assert set(endpoint) == {"id", "interface", "region", "region_id", "url"}
            assert endpoint["region"] == endpoint["region_id"] == "RegionOne"


def test_ids_are_stable_and_distinct(public_endpoint):
    first, second = catalog.build_catalog(), catalog.build_catalog()
    assert first == second
    ids = [e["id"] for e in first] + [ep["id"] for e in first for ep in e["endpoints"]]
    assert len(set(ids)) == len(ids) == 12


def test_public_endpoint_wins_over_the_request_url(public_endpoint):
    assert catalog.base_url("http://10.0.0.5:8774") == public_endpoint


def test_without_public_endpoint_the_request_url_then_the_bind_address_is_used():
    CONF.set_override("bind_host", "192.0.2.7", group="api")
    CONF.set_override("bind_port", 9999, group="api")
    CONF.set_override("region", "Lab", group="identity")
    try:
        assert catalog.base_url() == "http://192.0.2.7:9999"
        assert catalog.base_url("http://api.lan:8080") == "http://api.lan:8080"
        compute = catalog.build_catalog()[0]["endpoints"][0]
        assert compute["url"] == "http://192.0.2.7:9999/v2.1"
        assert compute["region"] == "Lab"
    finally:
        CONF.clear_override("bind_host", group="api")
        CONF.clear_override("bind_port", group="api")
        CONF.clear_override("region", group="identity")


def test_www_authenticate_points_at_the_identity_api(public_endpoint):
    assert catalog.www_authenticate() == f'Keystone uri="{public_endpoint}/identity"'
