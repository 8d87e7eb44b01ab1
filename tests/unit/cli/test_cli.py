"""What a user sees from `godwit`: tables, JSON, exit codes and error lines.

The fakes (conftest.py) hand out real openstacksdk resource objects built from Nova-shaped
bodies, so attribute mapping is exercised too.
"""

import json
import os

import pytest
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from godwit.cli import connection, waiting
from tests.unit.cli.conftest import IMAGE_ID, assert_error_line, make_server, run, table_row


def test_help_works_without_a_cloud(monkeypatch):
    def no_cloud(cloud):
        raise AssertionError("help must not connect")

    monkeypatch.setattr(connection, "make_connection", no_cloud)
    for args in (
        ["--help"],
        ["server", "--help"],
        ["server", "create", "--help"],
        ["server", "resize", "--help"],
        ["migration", "--help"],
        ["migration", "list", "--help"],
    ):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.stdout


def test_os_cloud_comes_from_option_or_env(conn):
    assert run("--os-cloud", "lab", "server", "list").exit_code == 0
    assert run("server", "list", env={"OS_CLOUD": "prod"}).exit_code == 0
    assert conn.clouds == ["lab", "prod"]


def test_list_table(conn):
    result = run("server", "list")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "ID") == ["ID", "Name", "Status", "Flavor", "Image"]
    assert table_row(result.stdout, "srv-1") == ["srv-1", "web1", "ACTIVE", "m1.small", "cirros"]
    assert table_row(result.stdout, "srv-2") == ["srv-2", "db1", "SHUTOFF", "m1.small", "cirros"]
    assert conn.compute.list_queries == [{}]


def test_list_all_projects_shows_host_to_admins(conn):
    conn.compute.listing = [make_server("srv-9", "other", **{"OS-EXT-SRV-ATTR:host": "xs-2"})]

    result = run("server", "list", "--all-projects")

    assert result.exit_code == 0, result.output
    assert conn.compute.list_queries == [{"all_projects": True}]
    assert table_row(result.stdout, "ID") == ["ID", "Name", "Status", "Host", "Flavor", "Image"]
    assert table_row(result.stdout, "srv-9") == [
        "srv-9",
        "other",
        "ACTIVE",
        "xs-2",
        "m1.small",
        "cirros",
    ]


def test_list_json_handles_both_flavor_shapes(conn):
    conn.compute.listing = [
        make_server("srv-1", "web1"),
        make_server("srv-old", "legacy", flavor={"id": "flv-42", "links": []}, image=""),
    ]

    result = run("--format", "json", "server", "list")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "ID": "srv-1",
            "Name": "web1",
            "Status": "ACTIVE",
            "Flavor": "m1.small",
            "Image": "cirros",
        },
        {"ID": "srv-old", "Name": "legacy", "Status": "ACTIVE", "Flavor": "flv-42", "Image": None},
    ]


def test_list_empty_json_is_an_empty_list(conn):
    conn.compute.listing = []

    result = run("-f", "json", "server", "list")

    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_show_is_a_field_value_table(conn):
    conn.compute.listing = [
        make_server(
            "srv-1",
            "web1",
            metadata={"env": "prod"},
            addresses={"private": [{"addr": "10.0.0.3", "version": 4}]},
            **{"OS-EXT-STS:power_state": 1, "OS-EXT-SRV-ATTR:host": "xs-1"},
        )
    ]

    result = run("server", "show", "web1")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "Field") == ["Field", "Value"]
    assert table_row(result.stdout, "id") == ["id", "srv-1"]
    assert table_row(result.stdout, "status") == ["status", "ACTIVE"]
    assert table_row(result.stdout, "power_state") == ["power_state", "Running"]
    assert table_row(result.stdout, "host") == ["host", "xs-1"]
    assert table_row(result.stdout, "flavor") == ["flavor", "m1.small"]
    assert table_row(result.stdout, "image") == ["image", f"cirros ({IMAGE_ID})"]
    assert table_row(result.stdout, "addresses") == ["addresses", "private=10.0.0.3"]
    assert table_row(result.stdout, "properties") == ["properties", "env=prod"]


def test_show_json(conn):
    result = run("--format", "json", "server", "show", "srv-2")

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["id"] == "srv-2"
    assert shown["status"] == "SHUTOFF"
    assert shown["flavor"] == "m1.small"
    assert "host" not in shown
    assert "fault" not in shown


def test_show_unknown_server_is_one_error_line(conn):
    result = run("server", "show", "ghost")

    assert_error_line(result, "No Server found for ghost")
    assert result.stdout == ""


def test_http_error_shows_the_api_message(conn):
    conn.compute.list_error = sdk_exc.HttpException(
        message="403: Client Error for url: http://api/v2.1/servers/detail",
        details="Policy doesn't allow os_compute_api:servers:index:get_all_tenants.",
        http_status=403,
    )

    result = run("server", "list", "--all-projects")

    assert_error_line(
        result, "Policy doesn't allow os_compute_api:servers:index:get_all_tenants. (HTTP 403)"
    )


def test_unreachable_api_is_one_error_line(conn):
    conn.compute.list_error = ks_exc.ConnectFailure("Unable to establish connection to http://api")

    result = run("server", "list")

    assert_error_line(result, "Unable to establish connection to http://api")


def test_create_resolves_names_and_sends_the_request(conn):
    conn.compute.timeline["srv-new"] = [make_server("srv-new", "web3", status="BUILD")]

    result = run(
        "server", "create", "web3", "--flavor", "m1.small", "--image", "cirros",
        "--nic", "none", "--property", "env=prod", "--property", "note=a=b",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert conn.compute.created == [
        {
            "name": "web3",
            "flavor_id": "flv-1",
            "image_id": IMAGE_ID,
            "networks": "none",
            "metadata": {"env": "prod", "note": "a=b"},
        }
    ]
    assert table_row(result.stdout, "status") == ["status", "BUILD"]
    assert conn.sleeps == []


def test_create_defaults_to_auto_network(conn):
    conn.compute.timeline["srv-new"] = [make_server("srv-new", "web3", status="BUILD")]

    result = run("server", "create", "web3", "--flavor", "flv-1", "--image", IMAGE_ID)

    assert result.exit_code == 0, result.output
    assert conn.compute.created[0]["networks"] == "auto"
    assert conn.compute.created[0]["metadata"] == {}


def test_create_rejects_a_property_without_equals(conn):
    result = run("server", "create", "w", "--flavor", "m1.small", "--image", "cirros",
                 "--property", "oops")  # fmt: skip

    assert result.exit_code == 2
    assert "'oops' is not KEY=VALUE" in result.stderr
    assert conn.compute.created == []


def test_create_with_unknown_flavor_creates_nothing(conn):
    result = run("server", "create", "w", "--flavor", "m1.huge", "--image", "cirros")

    assert_error_line(result, "No Flavor found for m1.huge")
    assert conn.compute.created == []


def test_create_wait_polls_until_active(conn):
    conn.compute.timeline["srv-new"] = [
        make_server("srv-new", "web3", status="BUILD", **{"OS-EXT-STS:task_state": "scheduling"}),
        make_server("srv-new", "web3", status="BUILD", **{"OS-EXT-STS:task_state": "spawning"}),
        make_server("srv-new", "web3", status="ACTIVE"),
    ]

    result = run("server", "create", "web3", "--flavor", "m1.small", "--image", "cirros", "--wait")

    assert result.exit_code == 0, result.output
    assert conn.sleeps == [waiting.POLL_INTERVAL, waiting.POLL_INTERVAL]
    assert table_row(result.stdout, "status") == ["status", "ACTIVE"]
    assert "100%" in result.stderr


def test_create_wait_keeps_json_on_stdout(conn):
    conn.compute.timeline["srv-new"] = [
        make_server("srv-new", "web3", status="BUILD"),
        make_server("srv-new", "web3", status="ACTIVE"),
    ]

    result = run("-f", "json", "server", "create", "web3", "--flavor", "m1.small",
                 "--image", "cirros", "--wait")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "ACTIVE"


def test_create_wait_reports_the_fault_on_error(conn):
    conn.compute.timeline["srv-new"] = [
        make_server("srv-new", "web3", status="BUILD"),
        make_server(
            "srv-new", "web3", status="ERROR",
            fault={"code": 500, "message": "No valid host was found."},
        ),
    ]  # fmt: skip

    result = run("server", "create", "web3", "--flavor", "m1.small", "--image", "cirros", "--wait")

    assert_error_line(result, "Server web3 (srv-new) went to ERROR: No valid host was found.")
    assert result.stdout == ""
    assert conn.sleeps == [waiting.POLL_INTERVAL]


def test_delete_without_wait_does_not_poll(conn):
    result = run("server", "delete", "web1", "srv-2")

    assert result.exit_code == 0, result.output
    assert conn.compute.deleted == ["srv-1", "srv-2"]
    assert conn.sleeps == []


def test_delete_resolves_every_name_before_deleting(conn):
    result = run("server", "delete", "web1", "ghost")

    assert_error_line(result, "No Server found for ghost")
    assert conn.compute.deleted == []


def test_delete_wait_until_gone(conn):
    deleting = make_server("srv-1", "web1", **{"OS-EXT-STS:task_state": "deleting"})
    conn.compute.timeline["srv-1"] = [deleting, deleting, None]

    result = run("server", "delete", "web1", "--wait")

    assert result.exit_code == 0, result.output
    assert conn.compute.deleted == ["srv-1"]
    assert conn.sleeps == [waiting.POLL_INTERVAL, waiting.POLL_INTERVAL]
    assert conn.compute.timeline["srv-1"] == [None]


def test_delete_wait_for_a_server_already_in_error(conn):
    broken = make_server("srv-1", "web1", status="ERROR", fault={"message": "No valid host"})
    deleting = make_server("srv-1", "web1", status="ERROR", **{"OS-EXT-STS:task_state": "deleting"})
    conn.compute.listing = [broken]
    conn.compute.timeline["srv-1"] = [deleting, None]

    result = run("server", "delete", "web1", "--wait")

    assert result.exit_code == 0, result.output
    assert conn.sleeps == [waiting.POLL_INTERVAL]


def test_delete_wait_reports_a_server_that_went_to_error(conn):
    conn.compute.timeline["srv-1"] = [
        make_server("srv-1", "web1", status="ERROR", fault={"message": "Hypervisor unreachable"})
    ]
    conn.compute.timeline["srv-2"] = [None]

    result = run("server", "delete", "web1", "db1", "--wait")

    assert_error_line(result, "Server web1 (srv-1) went to ERROR: Hypervisor unreachable")


@pytest.fixture
def clouds_yaml(monkeypatch, tmp_path):
    """clouds.yaml with clouds 'lab' and 'prod'; no OS_* variables from the developer's shell."""
    for name in [n for n in os.environ if n.startswith("OS_")]:
        monkeypatch.delenv(name)
    path = tmp_path / "clouds.yaml"
    # Two clouds: with only one, openstacksdk would pick it even when none is named.
    path.write_text("clouds:\n  lab: {}\n  prod: {}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    return path


def test_unknown_cloud_says_how_to_choose_one(clouds_yaml):
    result = run("--os-cloud", "nope", "server", "list")

    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("Error: Cloud 'nope' could not be loaded")
    assert "--os-cloud" in line and "OS_CLOUD" in line
    assert str(clouds_yaml) in line
    assert "Traceback" not in result.output


def test_no_cloud_selected_says_how_to_choose_one(clouds_yaml):
    result = run("server", "list")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: No cloud selected. Pass --os-cloud NAME or set OS_CLOUD"
    )
    assert len(result.stderr.strip().splitlines()) == 1
