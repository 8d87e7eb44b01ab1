"""`godwit server migration-hosts|live-migrate`: the admin API requests sent and what is
printed, for success and failure."""

import json

import pytest

from tests.unit.cli.conftest import (
    assert_error_line,
    fault,
    json_response,
    make_migration,
    make_server,
    run,
    table_row,
)


def _host(host_id, name):
    return {"id": host_id, "name": name, "allocation_state": "Enabled",
            "maintenance_state": "ready", "vcpus": 8, "vcpus_used": 2, "memory_mb": 16384,
            "memory_mb_used": 1024, "running_vms": 2}


@pytest.fixture
def pool(conn):
    """The admin API answers the live-migration routes; the migration ends ``status``."""
    session = conn.session
    original = session._route
    session.live = make_migration("mig-9", type="live-migration", status="running",
                                  source_host="compute-3", dest_host="compute-4",
                                  next_step_host=None)

    def route(method, parts, params):
        if parts[2:] == ["migration-hosts"]:
            return json_response(200, {"hosts": [_host("h-4", "compute-4"),
                                                 _host("h-5", "compute-5")],
                                       "count": 7, "start": params["start"],
                                       "suitable_host_ids": ["h-4"]})
        if parts[2:] == ["migrate"]:
            session.migrations = [session.live]
            return json_response(202, {"migration": dict(session.live, status="running")})
        return original(method, parts, params)

    session._route = route
    return conn


def test_migration_hosts_shows_every_host_and_which_are_suitable(pool):
    result = run("server", "migration-hosts", "web1", "--start", "2", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "h-4")[1:4] == ["compute-4", "yes", "Enabled, ready"]
    assert table_row(result.stdout, "h-5")[2] == "no"
    assert "Hosts 3-4 of 7." in result.stderr
    assert pool.session.requests == [
        ("GET", "/servers/srv-1/migration-hosts", {"start": 2, "limit": 2}, None)]


def test_migration_hosts_refused_says_why(pool):
    pool.session.answer = fault(409, "Instance srv-1 cannot be live-migrated: its disks are "
                                     "on local storage of host compute-1.")
    result = run("server", "migration-hosts", "web1")
    assert_error_line(result, "Instance srv-1 cannot be live-migrated: its disks are on "
                              "local storage of host compute-1. (HTTP 409)")


def test_migration_hosts_refuses_a_bad_limit_before_asking(pool):
    result = run("server", "migration-hosts", "web1", "--limit", "0")
    assert result.exit_code == 2
    assert pool.session.requests == []


def test_live_migrate_prints_the_migration(pool):
    result = run("-f", "json", "server", "live-migrate", "web1", "compute-4")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["type"], shown["status"], shown["dest_host"]) == (
        "live-migration", "running", "compute-4")
    assert pool.session.requests == [
        ("POST", "/servers/srv-1/migrate", {}, {"host": "compute-4"})]


def test_live_migrate_wait_follows_it_to_the_end(pool):
    pool.session.live["status"] = "finished"
    pool.compute.timeline["srv-1"] = [make_server("srv-1", "web1", status="MIGRATING"),
                                      make_server("srv-1", "web1")]
    result = run("-f", "json", "server", "live-migrate", "--wait", "web1", "compute-4")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "finished"


def test_live_migrate_wait_fails_with_the_reason(pool):
    pool.session.live.update(status="error", error="Live migration to host compute-4 "
                                                   "failed: VM_MIGRATE_FAILED")
    result = run("server", "live-migrate", "--wait", "web1", "compute-4")
    assert_error_line(result, "Live migration of server web1 (srv-1) to compute-4 failed: "
                              "migration mig-9 ended error: Live migration to host "
                              "compute-4 failed: VM_MIGRATE_FAILED")


def test_live_migrate_refused_is_one_error_line(pool):
    pool.session.answer = fault(403, "Permission denied")
    result = run("server", "live-migrate", "web1", "compute-4")
    assert result.exit_code == 1
    assert "Permission denied" in result.stderr
