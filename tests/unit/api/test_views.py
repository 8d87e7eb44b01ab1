"""View builders: Nova's shapes for each microversion and caller, from plain objects."""
import datetime
import types

import pytest

from godwit.api.openstack import common
from godwit.api.openstack.compute.views import flavors, hypervisors
from godwit.api.openstack.compute.views import servers as server_views


@pytest.mark.parametrize("text, number", [
    ("8.2.1", 8002001), ("7.1", 7001), ("1", 1), ("2.0.0-beta", 2000000), ("", 0), (None, 0),
    ("x.1", 0), ("8.2.1.5", 8002001005)])
def test_hypervisor_version_encoding(text, number):
    assert hypervisors.version_to_int(text) == number


@pytest.mark.parametrize("name, expected", [
    ("Web Server_1", "web-server-1"), ("a.b", "a-b"), ("--x--", "x"), ("ÄÖ", None),
    ("n" * 100, "n" * 63)])
def test_hostname(instance, name, expected):
    instance.display_name = name
    assert server_views.hostname(instance) == (expected or f"server-{instance.uuid}")


def test_host_id(instance):
    assert server_views.host_id(instance) == ""
    instance.host = "h1"
    first = server_views.host_id(instance)
    instance.project_id = "p2"
    assert len(first) == 56 and server_views.host_id(instance) != first


def test_unscheduled_server_at_2_1(make_request, instance, admin_only_policy):
    server = server_views.ServerViews(make_request()).detail(instance)
    assert server["status"] == "BUILD"
    assert server["progress"] == 0
    assert server["hostId"] == ""
    assert server["OS-EXT-AZ:availability_zone"] == ""
    assert server["created"] == "2024-05-01T12:00:00Z"
    assert server["updated"] == "2024-05-01T12:00:00Z"
    assert server["links"] == [
        {"rel": "self", "href": f"http://localhost/v2.1/servers/{instance.uuid}"},
        {"rel": "bookmark", "href": f"http://localhost/servers/{instance.uuid}"}]
    assert "fault" not in server and "OS-EXT-SRV-ATTR:host" not in server


def test_version_dependent_fields(make_request, instance, admin_only_policy):
    def fields(version, roles=("member",)):
        return server_views.ServerViews(make_request(version=version, roles=roles)).detail(
            instance)

    assert "locked" not in fields((2, 8)) and fields((2, 9))["locked"] is False
    assert "description" not in fields((2, 18)) and fields((2, 19))["description"] is None
    assert "tags" not in fields((2, 25)) and fields((2, 26))["tags"] == []
    assert fields((2, 46))["flavor"]["id"] == "1"
    assert fields((2, 47))["flavor"] == {"vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0,
                                         "swap": 0, "original_name": "m1.tiny"}
    assert fields((2, 47), ("admin",))["flavor"]["extra_specs"] == {"a": "b"}
    assert fields((2, 16), ("admin",))["host_status"] == ""
    assert "host_status" not in fields((2, 15), ("admin",))
    assert "OS-EXT-SRV-ATTR:user_data" in fields((2, 3), ("admin",))
    assert "OS-EXT-SRV-ATTR:user_data" not in fields((2, 2), ("admin",))


def test_fault_details_are_for_admins_when_the_code_is_500(make_request, instance,
                                                           admin_only_policy):
    instance.vm_state, instance.task_state = "error", None
    instance.faults = [types.SimpleNamespace(code=500, message="boom", details="trace",
                                             created_at=datetime.datetime(2024, 5, 1))]
    member = server_views.ServerViews(make_request()).detail(instance)
    admin = server_views.ServerViews(make_request(roles=("admin",))).detail(instance)
    assert member["fault"] == {"code": 500, "message": "boom",
                               "created": "2024-05-01T00:00:00Z"}
    assert admin["fault"]["details"] == "trace"
    assert "progress" not in member


def test_flavor_swap_is_empty_string_when_zero(make_request):
    flavor = types.SimpleNamespace(flavorid="1", name="f", memory_mb=1, vcpus=1, root_gb=0,
                                   ephemeral_gb=0, disabled=False, is_public=True,
                                   rxtx_factor=1.0, swap=0, description="d")
    assert flavors.detail(make_request(), flavor)["swap"] == ""
    assert "description" not in flavors.basic(make_request(version=(2, 54)), flavor)
    assert flavors.basic(make_request(version=(2, 55)), flavor)["description"] == "d"


@pytest.mark.parametrize("base, bookmark", [
    ("http://localhost/v2.1", "http://localhost"),
    ("http://localhost/compute/v2.1", "http://localhost/compute"),
    ("http://localhost/image", "http://localhost/image")])
def test_bookmark_drops_the_version(make_request, base, bookmark):
    assert common.bookmark_url(make_request(base=base)) == bookmark


def test_page_and_next_links(make_request):
    items = ["a", "b", "c"]
    assert common.page(items, 2, None, str) == ["a", "b"]
    assert common.page(items, 2, "b", str) == ["c"]
    with pytest.raises(Exception, match=r"marker \[z\] not found"):
        common.page(items, 2, "z", str)
    req = make_request("/flavors?limit=2&minRam=1")
    assert common.next_links(req, ["a", "b"], 2, str) == [
        {"rel": "next", "href": "http://localhost/v2.1/flavors?limit=2&minRam=1&marker=b"}]
    assert common.next_links(req, ["a"], 2, str) == []
