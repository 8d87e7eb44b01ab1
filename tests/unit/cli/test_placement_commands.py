"""`godwit zone|pod|cluster|host ...`: the admin API requests sent and what is printed."""

import json

import pytest

from tests.unit.cli.conftest import (
    ADMIN_ROOT,
    assert_error_line,
    fault,
    json_response,
    run,
    table_row,
)

ZONE = "11111111-1111-4111-8111-111111111111"
POD = "22222222-2222-4222-8222-222222222222"
CLUSTER = "33333333-3333-4333-8333-333333333333"
HOST = "44444444-4444-4444-8444-444444444444"
TIMES = {"created_at": "2024-05-01T12:00:00Z", "updated_at": None}
ROWS = {
    "zones": [dict(TIMES, id=ZONE, name="nova", allocation_state="Enabled")],
    "pods": [dict(TIMES, id=POD, name="pod-1", zone_id=ZONE, allocation_state="Enabled")],
    "clusters": [
        dict(
            TIMES,
            id=CLUSTER,
            name="cluster-1",
            pod_id=POD,
            zone_id=ZONE,
            hypervisor_type="xen",
            managed_state="Managed",
            allocation_state="Disabled",
        )
    ],
    "hosts": [
        dict(
            TIMES,
            id=HOST,
            name="hv-1",
            cluster_id=CLUSTER,
            pod_id=POD,
            zone_id=ZONE,
            allocation_state="Disabled",
            maintenance_state="ready",
            vcpus=8,
            vcpus_used=2,
            memory_mb=4096,
            memory_mb_used=1024,
            running_vms=1,
        )
    ],
}


class PlacementSession:
    """Answers /zones, /pods, /clusters and /hosts like the admin API (filters recorded)."""

    def __init__(self):
        self.requests = []
        self.answer = None

    def request(self, url, method, headers=None, raise_exc=True, params=None, json=None):
        path = url.removeprefix(ADMIN_ROOT)
        params = {key: value for key, value in (params or {}).items() if value is not None}
        self.requests.append((method, path, params, json))
        if self.answer is not None:
            return self.answer
        parts = path.strip("/").split("/")
        rows = ROWS[parts[0]]
        key = parts[0][:-1]
        if len(parts) == 1 and method == "GET":
            return json_response(200, {parts[0]: rows})
        if len(parts) == 1 and method == "POST":
            return json_response(201, {key: dict(rows[0], **_columns(json[key]), id="new")})
        found = [row for row in rows if parts[1] in (row["id"], row["name"])]
        if not found:
            return fault(404, f"{key.title()} {parts[1]} could not be found.")
        if method == "GET":
            return json_response(200, {key: found[0]})
        if method == "PATCH":
            return json_response(200, {key: dict(found[0], **_columns(json[key]))})
        return json_response(204)


def _columns(fields):
    """A body's fields as the API shows them (allocationstate is allocation_state, ...)."""
    columns = {"allocationstate": "allocation_state", "managedstate": "managed_state"}
    return {columns.get(key, key): value for key, value in fields.items()}


@pytest.fixture
def session(conn):
    conn.session = PlacementSession()
    return conn.session


def test_zone_list_table_and_filter(session):
    result = run("zone", "list", "--allocation-state", "Enabled")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "ID") == ["ID", "Name", "Allocation state"]
    assert table_row(result.stdout, ZONE) == [ZONE, "nova", "Enabled"]
    assert session.requests == [("GET", "/zones", {"allocationstate": "Enabled"}, None)]


def test_host_list_shows_usage(session):
    result = run("host", "list", "--cluster", "cluster-1")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, HOST) == [
        HOST, "hv-1", CLUSTER, "Disabled", "ready", "2/8", "1024/4096", "1",
    ]  # fmt: skip
    assert session.requests == [
        ("GET", "/clusters", {}, None),
        ("GET", "/hosts", {"cluster_id": CLUSTER}, None),
    ]


def test_list_json(session):
    result = run("-f", "json", "cluster", "list", "--zone", ZONE, "--pod", POD)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "ID": CLUSTER,
            "Name": "cluster-1",
            "Pod": POD,
            "Zone": ZONE,
            "Hypervisor type": "xen",
            "Allocation state": "Disabled",
            "Managed state": "Managed",
        }
    ]
    assert session.requests == [("GET", "/clusters", {"zone_id": ZONE, "pod_id": POD}, None)]


def test_cluster_managedstate_update_create_and_filter(session):
    result = run("cluster", "update", "cluster-1", "--managedstate", "Unmanaged")
    assert result.exit_code == 0, result.output
    assert session.requests[-1] == (
        "PATCH", f"/clusters/{CLUSTER}", {}, {"cluster": {"managedstate": "Unmanaged"}},
    )  # fmt: skip
    assert table_row(result.stdout, "managed_state") == ["managed_state", "Unmanaged"]
    args = ("cluster", "create", "c2", "--pod", POD, "--hypervisor-type", "xen")
    assert run(*args, "--managed-state", "Unmanaged").exit_code == 0
    assert session.requests[-1][3]["cluster"]["managedstate"] == "Unmanaged"
    assert run("cluster", "list", "--managedstate", "Managed").exit_code == 0
    assert session.requests[-1] == ("GET", "/clusters", {"managedstate": "Managed"}, None)


def test_bad_managedstate_is_refused_locally(session):
    result = run("cluster", "update", "cluster-1", "--managedstate", "Off")
    assert result.exit_code == 2
    assert "Managed" in result.output and "Unmanaged" in result.output
    assert session.requests == []


def test_zone_show_by_name_goes_to_the_api(session):
    result = run("-f", "json", "zone", "show", "nova")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == ZONE
    assert session.requests == [("GET", "/zones/nova", {}, None)]


def test_pod_show_by_name_is_resolved_by_listing(session):
    result = run("pod", "show", "pod-1")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "zone_id") == ["zone_id", ZONE]
    assert [request[:2] for request in session.requests] == [
        ("GET", "/pods"),
        ("GET", f"/pods/{POD}"),
    ]


def test_create_each_level(session):
    assert run("zone", "create", "z2").exit_code == 0
    assert (
        run("pod", "create", "p2", "--zone", "nova", "--allocation-state", "Enabled").exit_code == 0
    )
    assert run("cluster", "create", "c2", "--pod", POD, "--hypervisor-type", "xen").exit_code == 0
    assert run("host", "create", "hv-2", "--cluster", "cluster-1").exit_code == 0
    sent = [(method, path, body) for method, path, _, body in session.requests if method == "POST"]
    assert sent == [
        ("POST", "/zones", {"zone": {"name": "z2"}}),
        ("POST", "/pods", {"pod": {"name": "p2", "zone_id": ZONE, "allocationstate": "Enabled"}}),
        ("POST", "/clusters", {"cluster": {"name": "c2", "pod_id": POD, "hypervisor_type": "xen"}}),
        ("POST", "/hosts", {"host": {"name": "hv-2", "cluster_id": CLUSTER}}),
    ]


def test_update_and_delete(session):
    result = run("host", "update", "hv-1", "--allocation-state", "Enabled", "--no-cluster")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "allocation_state") == ["allocation_state", "Enabled"]
    assert session.requests[-1] == (
        "PATCH", f"/hosts/{HOST}", {}, {"host": {"allocationstate": "Enabled", "cluster_id": None}},
    )  # fmt: skip
    assert run("zone", "update", ZONE, "--name", "main").exit_code == 0
    assert session.requests[-1][3] == {"zone": {"name": "main"}}
    assert run("cluster", "delete", "cluster-1").exit_code == 0
    assert session.requests[-1][:2] == ("DELETE", f"/clusters/{CLUSTER}")


def test_update_needs_a_change(session):
    result = run("zone", "update", ZONE)
    assert result.exit_code == 2
    assert "Nothing to change" in result.output
    assert run("host", "update", HOST, "--cluster", CLUSTER, "--no-cluster").exit_code == 2
    assert session.requests == []


def test_bad_allocation_state_is_refused_locally(session):
    result = run("zone", "list", "--allocation-state", "On")
    assert result.exit_code == 2
    assert session.requests == []


def test_unknown_and_ambiguous_names(session):
    assert_error_line(run("pod", "show", "nope"), "No pod is named nope.")
    ROWS["pods"].append(dict(ROWS["pods"][0], id="other"))
    try:
        assert_error_line(
            run("pod", "delete", "pod-1"), "Several pods are named pod-1: give its id."
        )
    finally:
        ROWS["pods"].pop()
    assert_error_line(run("zone", "show", "mars"), "Zone mars could not be found. (HTTP 404)")


@pytest.mark.parametrize(
    "status, message",
    [
        (403, "Permission denied"),
        (409, "Zone nova still holds 1 pods: remove them first."),
        (400, "Invalid input for field/attribute name. Value: . should be non-empty"),
    ],
)
def test_api_errors_are_one_line(session, status, message):
    session.answer = fault(status, message)
    assert_error_line(run("zone", "delete", ZONE), f"{message} (HTTP {status})")
