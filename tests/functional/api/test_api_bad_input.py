"""Bad input gets a 4xx that names what is wrong, changes nothing, and is never a 500."""
import pytest

from tests.functional.api.conftest import (
    IMAGE,
    OTHER_IMAGE,
    add_host,
    add_instance,
    row_counts,
    server_body,
)

LONG = "x" * 256


def _server(**fields):
    """A valid 2.60 create body with ``fields`` changed (None removes a field)."""
    body = server_body()
    for key, value in fields.items():
        if value is None:
            body["server"].pop(key, None)
        else:
            body["server"][key] = value
    return body


def _flavor(**fields):
    body = {"flavor": {"name": "new", "ram": 512, "vcpus": 1, "disk": 1}}
    for key, value in fields.items():
        if value is None:
            body["flavor"].pop(key, None)
        else:
            body["flavor"][key] = value
    return body


# (id, method, path, body (bytes: raw), user, version, status, words the message must contain)
CASES = [
    # --- server create: the body itself
    ("malformed-json", "POST", "/servers", b'{"server": {', "member", "2.60", 400,
     ["Malformed request body"]),
    ("empty-body", "POST", "/servers", b"", "member", "2.60", 400, ["Malformed request body"]),
    ("array-body", "POST", "/servers", b"[]", "member", "2.60", 400, ["JSON object"]),
    ("nan", "POST", "/servers", b'{"server": {"min_count": NaN}}', "member", "2.60", 400,
     ["NaN"]),
    ("too-deep", "POST", "/servers", b"[" * 50000 + b"]" * 50000, "member", "2.60", 400,
     ["Malformed request body"]),
    ("lone-surrogate", "POST", "/servers",
     b'{"server": {"name": "vm", "metadata": {"k": "\\ud800"}}}', "member", "2.60", 400,
     ["Malformed request body"]),
    ("nul", "POST", "/servers", _server(metadata={"k": "a\x00b"}), "member", "2.60", 400,
     ["NUL"]),
    ("too-large", "POST", "/servers", b'{"server": "' + b"x" * 200000 + b'"}', "member",
     "2.60", 413, ["too large"]),
    ("missing-server", "POST", "/servers", {"srv": {}}, "member", "2.60", 400,
     ["'server' is a required property"]),
    ("unknown-top-level", "POST", "/servers", {**server_body(), "extra": 1}, "member", "2.60",
     400, ["'extra' was unexpected"]),
    # --- server create: fields
    ("missing-name", "POST", "/servers", _server(name=None), "member", "2.60", 400,
     ["'name' is a required property"]),
    ("missing-flavor", "POST", "/servers", _server(flavorRef=None), "member", "2.60", 400,
     ["'flavorRef' is a required property"]),
    ("unknown-field", "POST", "/servers", _server(color="red"), "member", "2.60", 400,
     ["'color' was unexpected"]),
    ("personality", "POST", "/servers", _server(personality=[]), "member", "2.60", 400,
     ["'personality' was unexpected"]),
    ("name-type", "POST", "/servers", _server(name=123), "member", "2.60", 400,
     ["field/attribute name"]),
    ("name-empty", "POST", "/servers", _server(name=""), "member", "2.60", 400,
     ["field/attribute name"]),
    ("name-too-long", "POST", "/servers", _server(name=LONG), "member", "2.60", 400,
     ["field/attribute name", "too long"]),
    ("name-leading-space", "POST", "/servers", _server(name=" vm"), "member", "2.60", 400,
     ["field/attribute name", "whitespace"]),
    ("name-newline", "POST", "/servers", _server(name="v\nm"), "member", "2.60", 400,
     ["field/attribute name"]),
    ("image-not-uuid", "POST", "/servers", _server(imageRef="cirros"), "member", "2.60", 400,
     ["field/attribute imageRef"]),
    ("image-unknown", "POST", "/servers",
     _server(imageRef="00000000-0000-4000-8000-000000000000"), "member", "2.60", 400,
     ["Image 00000000-0000-4000-8000-000000000000 could not be found"]),
    ("image-other-project", "POST", "/servers", _server(imageRef=OTHER_IMAGE), "member",
     "2.60", 400, [f"Image {OTHER_IMAGE} could not be found"]),
    ("flavor-unknown", "POST", "/servers", _server(flavorRef="99"), "member", "2.60", 400,
     ["Flavor 99 could not be found"]),
    ("flavor-disabled", "POST", "/servers", _server(flavorRef="4"), "member", "2.60", 400,
     ["Flavor 4 could not be found"]),
    ("flavor-type", "POST", "/servers", _server(flavorRef=["1"]), "member", "2.60", 400,
     ["field/attribute flavorRef"]),
    ("metadata-type", "POST", "/servers", _server(metadata=["a"]), "member", "2.60", 400,
     ["field/attribute metadata"]),
    ("metadata-key", "POST", "/servers", _server(metadata={"a/b": "c"}), "member", "2.60", 400,
     ["field/attribute metadata"]),
    ("metadata-value-long", "POST", "/servers", _server(metadata={"k": LONG}), "member",
     "2.60", 400, ["field/attribute k", "too long"]),
    ("metadata-value-type", "POST", "/servers", _server(metadata={"k": 1}), "member", "2.60",
     400, ["field/attribute k"]),
    ("min-count-zero", "POST", "/servers", _server(min_count=0), "member", "2.60", 400,
     ["field/attribute min_count"]),
    ("min-count-string", "POST", "/servers", _server(min_count="two"), "member", "2.60", 400,
     ["field/attribute min_count"]),
    ("min-over-max", "POST", "/servers", _server(min_count=3, max_count=2), "member", "2.60",
     400, ["field/attribute min_count"]),
    ("count-huge", "POST", "/servers", _server(max_count=10 ** 30), "member", "2.60", 400,
     ["field/attribute max_count"]),
    ("networks-missing", "POST", "/servers", _server(networks=None), "member", "2.37", 400,
     ["'networks' is a required property"]),
    ("networks-word", "POST", "/servers", _server(networks="some"), "member", "2.60", 400,
     ["field/attribute networks"]),
    ("networks-list", "POST", "/servers", _server(networks=[{"uuid": IMAGE}]), "member",
     "2.60", 400, ["field/attribute networks", "not supported"]),
    ("networks-string-old", "POST", "/servers", _server(networks="none"), "member", "2.36",
     400, ["field/attribute networks"]),
    ("description-old", "POST", "/servers", _server(networks=None, description="d"), "member",
     "2.18", 400, ["'description' was unexpected"]),
    ("description-long", "POST", "/servers", _server(description=LONG), "member", "2.60", 400,
     ["field/attribute description"]),
    ("tags-old", "POST", "/servers", _server(tags=[]), "member", "2.51", 400,
     ["'tags' was unexpected"]),
    ("tags-given", "POST", "/servers", _server(tags=["a"]), "member", "2.52", 400,
     ["field/attribute tags"]),
    ("bdm-volume", "POST", "/servers", _server(block_device_mapping_v2=[
        {"uuid": IMAGE, "source_type": "volume", "destination_type": "volume",
         "boot_index": 0}]), "member", "2.60", 400, ["block_device_mapping_v2"]),
    ("bdm-unknown-key", "POST", "/servers", _server(block_device_mapping_v2=[{"x": 1}]),
     "member", "2.60", 400, ["'x' was unexpected"]),
    ("zone-unknown", "POST", "/servers", _server(availability_zone="mars"), "member", "2.60",
     400, ["availability zone"]),
    ("key-name-long", "POST", "/servers", _server(key_name=LONG), "member", "2.60", 400,
     ["field/attribute key_name"]),
    ("reservation-flag", "POST", "/servers", _server(return_reservation_id="maybe"), "member",
     "2.60", 400, ["field/attribute return_reservation_id"]),
    # --- server actions
    ("action-malformed", "POST", "/servers/{server}/action", b"{", "member", None, 400,
     ["Malformed request body"]),
    ("action-unknown", "POST", "/servers/{server}/action", {"os-pause": None}, "member", None,
     400, ["There is no such action: os-pause"]),
    ("action-two", "POST", "/servers/{server}/action", {"os-stop": None, "os-start": None},
     "member", None, 400, ["There is no such action"]),
    ("action-empty", "POST", "/servers/{server}/action", {}, "member", None, 400,
     ["There is no such action"]),
    ("reboot-no-type", "POST", "/servers/{server}/action", {"reboot": {}}, "member", None,
     400, ["'type' is a required property"]),
    ("reboot-bad-type", "POST", "/servers/{server}/action", {"reboot": {"type": "MEDIUM"}},
     "member", None, 400, ["field/attribute type"]),
    ("stop-arguments", "POST", "/servers/{server}/action", {"os-stop": {"force": True}},
     "member", None, 400, ["field/attribute os-stop"]),
    ("action-bad-id", "POST", "/servers/nope/action", {"os-stop": None}, "member", None, 404,
     ["Instance nope could not be found"]),
    ("delete-bad-id", "DELETE", "/servers/nope", None, "member", None, 404,
     ["Instance nope could not be found"]),
    # --- server list query
    ("limit-negative", "GET", "/servers?limit=-1", None, "member", None, 400, ["limit"]),
    ("limit-word", "GET", "/servers/detail?limit=ten", None, "member", None, 400, ["limit"]),
    ("marker-unknown", "GET", "/servers?marker=00000000-0000-4000-8000-000000000000", None,
     "member", None, 400, ["marker"]),
    ("changes-since", "GET", "/servers?changes-since=yesterday", None, "member", None, 400,
     ["changes-since"]),
    ("all-tenants-word", "GET", "/servers?all_tenants=maybe", None, "admin", None, 400,
     ["all_tenants"]),
    ("status-unknown", "GET", "/servers?status=NAPPING", None, "member", "2.38", 400,
     ["status"]),
    # --- flavors
    ("flavor-missing-ram", "POST", "/flavors", _flavor(ram=None), "admin", None, 400,
     ["'ram' is a required property"]),
    ("flavor-ram-zero", "POST", "/flavors", _flavor(ram=0), "admin", None, 400,
     ["field/attribute ram"]),
    ("flavor-ram-string", "POST", "/flavors", _flavor(ram="lots"), "admin", None, 400,
     ["field/attribute ram"]),
    ("flavor-vcpus-negative", "POST", "/flavors", _flavor(vcpus=-1), "admin", None, 400,
     ["field/attribute vcpus"]),
    ("flavor-disk-huge", "POST", "/flavors", _flavor(disk=2 ** 40), "admin", None, 400,
     ["field/attribute disk"]),
    ("flavor-swap-float", "POST", "/flavors", _flavor(swap=1.5), "admin", None, 400,
     ["field/attribute swap"]),
    ("flavor-id-chars", "POST", "/flavors", _flavor(id="a/b"), "admin", None, 400,
     ["field/attribute id"]),
    ("flavor-name-long", "POST", "/flavors", _flavor(name=LONG), "admin", None, 400,
     ["field/attribute name"]),
    ("flavor-rxtx-zero", "POST", "/flavors", _flavor(rxtx_factor=0), "admin", None, 400,
     ["field/attribute rxtx_factor"]),
    ("flavor-public-word", "POST", "/flavors", _flavor(**{"os-flavor-access:is_public": "x"}),
     "admin", None, 400, ["field/attribute os-flavor-access:is_public"]),
    ("flavor-description-old", "POST", "/flavors", _flavor(description="d"), "admin", "2.54",
     400, ["'description' was unexpected"]),
    ("flavor-unknown-field", "POST", "/flavors", _flavor(color="red"), "admin", None, 400,
     ["'color' was unexpected"]),
    ("flavor-duplicate-name", "POST", "/flavors", _flavor(name="m1.tiny"), "admin", None, 409,
     ["m1.tiny already exists"]),
    ("flavor-duplicate-id", "POST", "/flavors", _flavor(id="1"), "admin", None, 409,
     ["1 already exists"]),
    ("flavor-update-empty", "PUT", "/flavors/1", {"flavor": {}}, "admin", "2.55", 400,
     ["'description' is a required property"]),
    ("flavor-update-name", "PUT", "/flavors/1", {"flavor": {"description": "d", "name": "n"}},
     "admin", "2.55", 400, ["'name' was unexpected"]),
    ("flavor-update-unknown", "PUT", "/flavors/99", {"flavor": {"description": "d"}}, "admin",
     "2.55", 404, ["Flavor 99 could not be found"]),
    ("flavor-delete-unknown", "DELETE", "/flavors/99", None, "admin", None, 404,
     ["Flavor 99 could not be found"]),
    ("flavor-min-ram", "GET", "/flavors?minRam=lots", None, "member", None, 400, ["minRam"]),
    ("flavor-is-public", "GET", "/flavors?is_public=maybe", None, "admin", None, 400,
     ["is_public"]),
    ("flavor-marker", "GET", "/flavors?marker=99", None, "member", None, 400, ["marker"]),
    # --- services
    ("service-bad-uuid", "PUT", "/os-services/12", {"status": "disabled"}, "admin", "2.53",
     400, ["Invalid uuid 12"]),
    ("service-unknown", "PUT", "/os-services/00000000-0000-4000-8000-000000000000",
     {"status": "disabled"}, "admin", "2.53", 404, ["could not be found"]),
    ("service-status-word", "PUT", "/os-services/{service}", {"status": "off"}, "admin",
     "2.53", 400, ["field/attribute status"]),
    ("service-no-change", "PUT", "/os-services/{service}", {}, "admin", "2.53", 400,
     ["'status' or 'forced_down'"]),
    ("service-reason-enabled", "PUT", "/os-services/{service}",
     {"status": "enabled", "disabled_reason": "x"}, "admin", "2.53", 400,
     ["disabled_reason"]),
    ("service-unknown-field", "PUT", "/os-services/{service}", {"state": "up"}, "admin",
     "2.53", 400, ["'state' was unexpected"]),
    ("service-forced-word", "PUT", "/os-services/{service}", {"forced_down": "maybe"},
     "admin", "2.53", 400, ["field/attribute forced_down"]),
    ("service-not-compute", "PUT", "/os-services/{scheduler}", {"status": "disabled"},
     "admin", "2.53", 400, ["godwit-scheduler service is not supported"]),
    ("service-disable-no-host", "PUT", "/os-services/disable", {"binary": "godwit-compute"},
     "admin", "2.52", 400, ["'host' is a required property"]),
    ("service-disable-unknown", "PUT", "/os-services/disable",
     {"host": "nowhere", "binary": "godwit-compute"}, "admin", "2.52", 404, ["nowhere"]),
    ("service-force-down-missing", "PUT", "/os-services/force-down",
     {"host": "host1", "binary": "godwit-compute"}, "admin", "2.11", 400,
     ["'forced_down' is a required property"]),
    # --- hypervisors
    ("hypervisor-limit", "GET", "/os-hypervisors?limit=x", None, "admin", "2.33", 400,
     ["limit"]),
    ("hypervisor-bad-uuid", "GET", "/os-hypervisors/1", None, "admin", "2.53", 400,
     ["Invalid uuid 1"]),
    ("hypervisor-unknown-int", "GET", "/os-hypervisors/999", None, "admin", "2.52", 404,
     ["Hypervisor with ID 999 could not be found"]),
    ("hypervisor-pattern-paging", "GET",
     "/os-hypervisors?hypervisor_hostname_pattern=h&limit=1", None, "admin", "2.53", 400,
     ["hypervisor_hostname_pattern"]),
    ("hypervisor-pattern-none", "GET", "/os-hypervisors?hypervisor_hostname_pattern=zz", None,
     "admin", "2.53", 404, ["No hypervisor matching 'zz'"]),
    ("hypervisor-with-servers", "GET", "/os-hypervisors?with_servers=maybe", None, "admin",
     "2.53", 400, ["with_servers"]),
    # --- permissions: admin-only routes for a member
    ("member-flavor-create", "POST", "/flavors", _flavor(), "member", None, 403,
     ["os_compute_api:os-flavor-manage:create"]),
    ("member-flavor-delete", "DELETE", "/flavors/1", None, "member", None, 403,
     ["os-flavor-manage:delete"]),
    ("member-flavor-update", "PUT", "/flavors/1", {"flavor": {"description": "d"}}, "member",
     "2.55", 403, ["os-flavor-manage:update"]),
    ("member-hypervisors", "GET", "/os-hypervisors", None, "member", None, 403,
     ["os-hypervisors:list"]),
    ("member-hypervisors-detail", "GET", "/os-hypervisors/detail", None, "member", None, 403,
     ["os-hypervisors:list-detail"]),
    ("member-hypervisor", "GET", "/os-hypervisors/1", None, "member", None, 403,
     ["os-hypervisors:show"]),
    ("member-statistics", "GET", "/os-hypervisors/statistics", None, "member", None, 403,
     ["os-hypervisors:statistics"]),
    ("member-services", "GET", "/os-services", None, "member", None, 403,
     ["os-services:list"]),
    ("member-service-update", "PUT", "/os-services/{service}", {"status": "disabled"},
     "member", "2.53", 403, ["os-services:update"]),
    ("member-service-disable", "PUT", "/os-services/disable",
     {"host": "host1", "binary": "godwit-compute"}, "member", "2.52", 403,
     ["os-services:update"]),
    ("member-zones-detail", "GET", "/os-availability-zone/detail", None, "member", None, 403,
     ["os-availability-zone:detail"]),
    ("member-aggregates", "GET", "/os-aggregates", None, "member", None, 403,
     ["os-aggregates:index"]),
    ("member-other-limits", "GET", "/limits?tenant_id=someone", None, "member", None, 403,
     ["limits:other_project"]),
]


@pytest.fixture
def targets(api):
    """Values for the ``{...}`` placeholders in CASES."""
    scheduler = add_host("controller", binary="godwit-scheduler")
    from godwit.db import api as db
    return {"server": add_instance().uuid,
            "service": db.service_list(host="host1")[0].uuid,
            "scheduler": scheduler.uuid}


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_refused_and_changes_nothing(api, targets, compute_rpc, case):
    _, method, path, body, user, version, status, words = case
    before = row_counts()
    raw = body if isinstance(body, bytes) else None
    resp = api.request(method, path.format(**targets), body=None if raw is not None else body,
                       raw=raw, user=user, version=version)
    assert resp.status_int == status, resp.text
    message = next(iter(resp.json.values()))["message"]
    for word in words:
        assert word in message
    assert row_counts() == before
    assert compute_rpc.casts == []


WEIRD_BODIES = [None, b"", b"null", b"0", b"[]", b'"text"', b"{}", b'{"server": null}',
                b'{"server": []}', b'{"server": {"name": {}}}', b"\xff\xfe\x00",
                b'{"a": ' * 2000 + b"1" + b"}" * 2000, b'{"flavor": {"ram": 1e999}}',
                b'{"reboot": null}', b'{"status": null}', b'{"flavor": {"description": 5}}']
ROUTES = [("POST", "/servers"), ("POST", "/servers/{server}/action"), ("POST", "/flavors"),
          ("PUT", "/flavors/1"), ("PUT", "/os-services/{service}"),
          ("PUT", "/os-services/disable"), ("PUT", "/os-services/force-down"),
          ("GET", "/servers?name=%ff&limit=99999999999999999999999"),
          ("GET", "/servers/%ff"), ("GET", "/flavors/%ff"), ("DELETE", "/servers/{server}")]


@pytest.mark.parametrize("version", ["2.1", "2.11", "2.52", "2.60"])
@pytest.mark.parametrize("method, path", ROUTES)
def test_no_bad_request_is_a_500(api, targets, method, path, version):
    for user in ("admin", "member"):
        for body in WEIRD_BODIES:
            resp = api.request(method, path.format(**targets), raw=body, user=user,
                               version=version)
            assert resp.status_int < 500, (body, resp.text)
