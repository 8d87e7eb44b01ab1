"""The OpenAPI document describes exactly the routes the apps serve, and is up to date."""
from godwit.api import openapi
from godwit.api.admin import create_app as create_admin_app
from godwit.api.image import create_app as create_image_app
from godwit.api.openstack import versions
from godwit.api.openstack.compute import create_app as create_compute_app


def _served():
    """{(METHOD, path)} found by walking the Router mappers of the real apps."""
    apps = [("", versions.create_app()), ("/v2.1", create_compute_app(compute_api=object())),
            ("/image", create_image_app()), ("/admin", create_admin_app(compute_api=object()))]
    identity = openapi.identity_router()
    routers = [(prefix, openapi.find_router(app)) for prefix, app in apps]
    if identity is not None:
        routers.append(("/identity", identity))
    return {(method, path) for prefix, router in routers
            for method, path, _ in openapi.router_routes(prefix, router)}


def _documented():
    document = openapi.load_document()
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in item}


def test_every_served_route_is_documented():
    missing = _served() - _documented()
    assert not missing, f"undocumented routes (add to OPERATIONS, regenerate): {missing}"


def test_every_documented_route_is_served():
    stale = _documented() - _served()
    assert not stale, f"documented routes nobody serves: {stale}"


def test_every_summary_belongs_to_a_route():
    assert set(openapi.OPERATIONS) <= _served()


def test_the_document_matches_the_code():
    assert openapi.load_document() == openapi.build_document(), (
        "godwit/api/openapi.json is stale: python -m godwit.api.openapi > "
        "godwit/api/openapi.json")


def test_request_schemas_are_the_validated_ones():
    document = openapi.load_document()
    create = document["paths"]["/v2.1/servers"]["post"]["requestBody"]
    ranges = [(item["min"], item["max"]) for item in create["x-openstack-body"]]
    assert ranges == [("2.74", "2.74"), ("2.67", "2.73"), ("2.63", "2.66"), ("2.52", "2.62"),
                      ("2.37", "2.51"), ("2.19", "2.36"), ("2.1", "2.18")]
    schema = document["components"]["schemas"]["ServersController.create.2.52"]
    assert schema["properties"]["server"]["additionalProperties"] is False
    latest = document["components"]["schemas"]["ServersController.create.2.74"]
    assert {"host", "hypervisor_hostname"} <= set(latest["properties"]["server"]["properties"])


def test_admin_operations_have_one_schema_and_no_microversions():
    document = openapi.load_document()
    assert {"/admin/v1/migrations", "/admin/v1/servers/{id}/cold-migrate"} <= set(
        document["paths"])
    cold_migrate = document["paths"]["/admin/v1/servers/{id}/cold-migrate"]["post"]
    assert cold_migrate["operationId"] == "admin.ServersController.cold_migrate"
    assert cold_migrate["requestBody"]["required"] is False
    assert "x-openstack-body" not in cold_migrate["requestBody"]
    resize = document["paths"]["/admin/v1/servers/{id}/resize"]["post"]
    assert resize["requestBody"]["required"] is True
    assert "202" in resize["responses"]
    confirm = document["paths"]["/admin/v1/servers/{id}/confirm-resize"]["post"]
    assert "204" in confirm["responses"]


def test_per_action_codes_are_documented():
    action = openapi.load_document()["paths"]["/v2.1/servers/{id}/action"]["post"]
    assert {"202", "204"} <= set(action["responses"])
    migrations = openapi.load_document()["paths"]["/v2.1/servers/{server_id}/migrations"]
    assert migrations["get"]["x-openstack-microversions"]["min"] == "2.23"
