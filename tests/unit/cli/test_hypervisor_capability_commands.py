"""`godwit hypervisor-capability ...`: the admin API requests sent and what is printed."""

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

CAP_ID = "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"


def make_capability(capability_id=CAP_ID, **fields):
    body = {
        "id": capability_id,
        "hypervisor_type": "xen",
        "hypervisor_version": "8.2.1",
        "max_guests_limit": 50,
        "security_group_enabled": True,
        "max_data_volumes_limit": 6,
        "storage_motion_supported": False,
        "created_at": "2024-05-01T12:00:00Z",
        "updated_at": None,
    }
    body.update(fields)
    return body


class CapabilitySession:
    """The keystoneauth session: records admin API requests and gives canned answers."""

    def __init__(self):
        self.requests = []
        self.answers = []

    def request(self, url, method, headers=None, raise_exc=True, params=None, json=None):
        assert url.startswith(ADMIN_ROOT + "/"), url
        params = {key: value for key, value in (params or {}).items() if value is not None}
        self.requests.append((method, url.removeprefix(ADMIN_ROOT), params, json))
        return self.answers.pop(0)


@pytest.fixture
def session(conn):
    conn.session = CapabilitySession()
    return conn.session


def test_list_table_and_filters(session):
    session.answers.append(
        json_response(
            200,
            {
                "hypervisor_capabilities": [
                    make_capability(),
                    make_capability(
                        "cap-2", hypervisor_version="8.3.0", security_group_enabled=False
                    ),
                ]
            },
        )
    )

    result = run("hypervisor-capability", "list", "--type", "xen")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "ID") == [
        "ID", "Type", "Version", "Max guests", "Security groups", "Max data volumes",
        "Storage motion",
    ]  # fmt: skip
    assert table_row(result.stdout, CAP_ID) == [
        CAP_ID, "xen", "8.2.1", "50", "True", "6", "False"
    ]  # fmt: skip
    assert table_row(result.stdout, "cap-2")[2:5] == ["8.3.0", "50", "False"]
    assert session.requests == [
        ("GET", "/hypervisor-capabilities", {"hypervisor_type": "xen"}, None)
    ]


def test_list_json(session):
    session.answers.append(json_response(200, {"hypervisor_capabilities": [make_capability()]}))

    result = run("-f", "json", "hypervisor-capability", "list", "--version", "8.2.1")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["Max guests"] == 50
    assert session.requests[0][2] == {"hypervisor_version": "8.2.1"}


def test_show(session):
    session.answers.append(json_response(200, {"hypervisor_capability": make_capability()}))

    result = run("hypervisor-capability", "show", CAP_ID)

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "max_guests_limit") == ["max_guests_limit", "50"]
    assert table_row(result.stdout, "hypervisor_version") == ["hypervisor_version", "8.2.1"]
    assert session.requests == [("GET", f"/hypervisor-capabilities/{CAP_ID}", {}, None)]


def test_create_sends_only_the_options_given(session):
    session.answers.append(json_response(201, {"hypervisor_capability": make_capability()}))

    result = run(
        "-f", "json", "hypervisor-capability", "create", "--type", "xen",
        "--version", "8.2.1", "--max-guests", "50", "--security-groups",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == CAP_ID
    body = {
        "hypervisor_capability": {
            "hypervisor_type": "xen",
            "hypervisor_version": "8.2.1",
            "max_guests_limit": 50,
            "security_group_enabled": True,
        }
    }
    assert session.requests == [("POST", "/hypervisor-capabilities", {}, body)]


def test_create_needs_type_and_version(session):
    result = run("hypervisor-capability", "create", "--type", "xen")

    assert result.exit_code == 2
    assert "Missing option '--version'" in result.output
    assert session.requests == []


def test_create_refuses_a_negative_limit_before_asking(session):
    result = run(
        "hypervisor-capability", "create", "--type", "xen", "--version", "8", "--max-guests", "-1"
    )

    assert result.exit_code == 2
    assert session.requests == []


def test_update(session):
    updated = make_capability(max_guests_limit=0, storage_motion_supported=True)
    session.answers.append(json_response(200, {"hypervisor_capability": updated}))

    result = run(
        "hypervisor-capability",
        "update",
        CAP_ID,
        "--max-guests",
        "0",
        "--storage-motion",
        "--no-security-groups",
    )

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "max_guests_limit") == ["max_guests_limit", "0"]
    body = {
        "hypervisor_capability": {
            "max_guests_limit": 0,
            "security_group_enabled": False,
            "storage_motion_supported": True,
        }
    }
    assert session.requests == [("PATCH", f"/hypervisor-capabilities/{CAP_ID}", {}, body)]


def test_update_without_options_asks_nothing(session):
    result = run("hypervisor-capability", "update", CAP_ID)

    assert_error_line(result, "Nothing to change: give at least one option.")
    assert session.requests == []


def test_delete(session):
    session.answers.append(json_response(204))

    result = run("hypervisor-capability", "delete", CAP_ID)

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert session.requests == [("DELETE", f"/hypervisor-capabilities/{CAP_ID}", {}, None)]


@pytest.mark.parametrize(
    "source, row",
    [
        ("exact", make_capability()),
        (
            "default",
            make_capability(
                None,
                hypervisor_version=None,
                max_guests_limit=500,
                security_group_enabled=False,
                created_at=None,
            ),
        ),
    ],
)
def test_lookup_shows_the_source_first(session, source, row):
    session.answers.append(json_response(200, {"hypervisor_capability": row, "source": source}))

    result = run("hypervisor-capability", "lookup", "--type", "xen", "--version", "8.2.1")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "source") == ["source", source]
    assert result.stdout.index("source") < result.stdout.index("max_guests_limit")
    assert session.requests == [
        (
            "GET",
            "/hypervisor-capabilities/lookup",
            {"hypervisor_type": "xen", "hypervisor_version": "8.2.1"},
            None,
        )
    ]


@pytest.mark.parametrize(
    "args, status, message",
    [
        (
            ["create", "--type", "xen", "--version", "8.2.1"],
            409,
            "Hypervisor capability xen 8.2.1 already exists.",
        ),
        (
            ["create", "--type", "kvm", "--version", "1"],
            400,
            "Invalid input for field/attribute hypervisor_type. Value: kvm.",
        ),
        (["show", "nope"], 404, "Hypervisor capability nope could not be found."),
        (["delete", CAP_ID], 403, "Permission denied"),
        (["list"], 403, "Permission denied"),
        (["lookup", "--type", "kvm"], 400, "Invalid input for field/attribute hypervisor_type."),
    ],
)
def test_api_refusals_are_one_error_line(session, args, status, message):
    session.answers.append(fault(status, message))

    result = run("hypervisor-capability", *args)

    assert_error_line(result, f"{message} (HTTP {status})")
