"""`godwit migration list|show|cancel`: the admin API requests sent and what is printed."""

import json

import pytest

from godwit.cli import admin
from tests.unit.cli.conftest import (
    assert_error_line,
    fault,
    make_migration,
    make_server,
    run,
    table_row,
)


@pytest.fixture
def five(conn):
    """Five migrations, newest (mig-5) first."""
    conn.session.migrations = [make_migration(f"mig-{n}") for n in range(5, 0, -1)]
    return conn


def test_list_table(conn):
    conn.session.migrations = [
        make_migration("mig-2", status="verify-migration", next_step_host=None, progress=100),
        make_migration("mig-1", status="finished", outcome="reverted", next_step_host=None),
    ]

    result = run("migration", "list")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "ID") == [
        "ID", "Server", "Type", "Status", "Outcome", "Source", "Destination",
        "Next step host", "Progress", "Updated",
    ]  # fmt: skip
    assert table_row(result.stdout, "mig-2") == [
        "mig-2", "srv-1", "resize", "verify-migration", "", "compute-1", "compute-2", "",
        "100", "2024-05-01T12:00:30Z",
    ]  # fmt: skip
    assert table_row(result.stdout, "mig-1")[3:5] == ["finished", "reverted"]
    assert conn.session.requests == [("GET", "/migrations", {"limit": admin.MAX_PAGE}, None)]


def test_list_json(conn):
    result = run("-f", "json", "migration", "list")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "ID": "mig-1",
            "Server": "srv-1",
            "Type": "resize",
            "Status": "migrating",
            "Outcome": None,
            "Source": "compute-1",
            "Destination": "compute-2",
            "Next step host": "compute-1",
            "Progress": 25,
            "Updated": "2024-05-01T12:00:30Z",
        }
    ]


def test_list_filters_are_sent_to_the_api(conn):
    conn.compute.other_projects = [make_server("srv-9", "tenant-vm")]

    result = run(
        "migration", "list", "--server", "tenant-vm", "--host", "compute-2",
        "--status", "migrating", "--status", "error",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert conn.session.requests == [
        (
            "GET",
            "/migrations",
            {"host": "compute-2", "status": ["migrating", "error"], "server": "srv-9",
             "limit": admin.MAX_PAGE},
            None,
        )
    ]  # fmt: skip


def test_list_of_an_unknown_server_asks_nothing(conn):
    result = run("migration", "list", "--server", "ghost")

    assert_error_line(result, "No Server found for ghost")
    assert conn.session.requests == []


def test_list_limit_asks_for_that_many(five):
    result = run("-f", "json", "migration", "list", "--limit", "3")

    assert result.exit_code == 0, result.output
    assert [row["ID"] for row in json.loads(result.stdout)] == ["mig-5", "mig-4", "mig-3"]
    assert five.session.requests == [("GET", "/migrations", {"limit": 3}, None)]


def test_list_follows_the_pages(five, monkeypatch):
    monkeypatch.setattr(admin, "MAX_PAGE", 2)

    result = run("-f", "json", "migration", "list")

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 5
    assert [request[2] for request in five.session.requests] == [
        {"limit": 2},
        {"limit": 2, "marker": "mig-4"},
        {"limit": 2, "marker": "mig-2"},
    ]


def test_list_limit_above_a_page_takes_several(five, monkeypatch):
    monkeypatch.setattr(admin, "MAX_PAGE", 2)

    result = run("-f", "json", "migration", "list", "--limit", "3")

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 3
    assert [request[2] for request in five.session.requests] == [
        {"limit": 2},
        {"limit": 1, "marker": "mig-4"},
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--limit", "0"], "Invalid value for '--limit'"),
        (["--limit", "many"], "Invalid value for '--limit'"),
        (["--status", "queued"], "Invalid value for '--status'"),
    ],
)
def test_list_rejects_bad_arguments(conn, args, message):
    result = run("migration", "list", *args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert conn.session.requests == []


def test_list_by_a_non_admin_is_one_error_line(conn):
    conn.session.answer = fault(403, "Permission denied")

    result = run("migration", "list")

    assert_error_line(result, "Permission denied (HTTP 403)")


def test_show_is_a_field_value_table(conn):
    conn.session.migrations = [
        make_migration("mig-7", status="error", outcome="failed", error="Snapshot failed: busy")
    ]

    result = run("migration", "show", "mig-7")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "status") == ["status", "error"]
    assert table_row(result.stdout, "outcome") == ["outcome", "failed"]
    assert table_row(result.stdout, "next_step_host") == ["next_step_host", "compute-1"]
    assert table_row(result.stdout, "old_flavor") == [
        "old_flavor",
        "m1.tiny (1 vCPU, 512 MiB RAM, 1 GiB disk)",
    ]
    assert table_row(result.stdout, "bytes_transferred") == ["bytes_transferred", "250"]
    assert table_row(result.stdout, "error") == ["error", "Snapshot failed: busy"]
    assert conn.session.requests == [("GET", "/migrations/mig-7", {}, None)]


def test_show_json(conn):
    result = run("--format", "json", "migration", "show", "mig-1")

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["id"] == "mig-1"
    assert shown["progress"] == 25
    assert shown["bytes_total"] == 1000
    assert shown["new_flavor"] == "m1.small (1 vCPU, 2048 MiB RAM, 20 GiB disk)"


def test_show_unknown_migration_shows_the_api_message(conn):
    result = run("migration", "show", "mig-0")

    assert_error_line(result, "Migration mig-0 could not be found. (HTTP 404)")
    assert result.stdout == ""


def test_cancel_posts_and_prints_nothing(conn):
    result = run("migration", "cancel", "mig-1")

    assert result.exit_code == 0, result.output
    assert conn.session.requests == [("POST", "/migrations/mig-1/cancel", {}, None)]
    assert result.stdout == ""


def test_cancel_too_late_shows_the_api_message(conn):
    conn.session.migrations = [make_migration("mig-1", status="post-migrating")]

    result = run("migration", "cancel", "mig-1")

    assert_error_line(
        result, "Migration mig-1 cannot be cancelled in status post-migrating (HTTP 409)"
    )


def test_admin_api_is_found_beside_the_compute_endpoint(conn):
    conn.compute.endpoint = "https://cloud.example/compute/v2.1/"
    conn.session.admin_root = "https://cloud.example/compute/admin/v1"

    result = run("migration", "show", "mig-1")

    assert result.exit_code == 0, result.output


def test_compute_endpoint_without_a_version_is_one_error_line(conn):
    conn.compute.endpoint = "https://cloud.example/compute"

    result = run("migration", "list")

    assert_error_line(
        result,
        "Cannot locate the admin API: the compute endpoint https://cloud.example/compute "
        "does not contain /v2.1.",
    )
    assert conn.session.requests == []
