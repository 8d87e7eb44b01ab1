"""`godwit server resize|migrate|resize-confirm|resize-revert`: the requests sent, what
--wait shows while the server moves, and how a move that failed is reported."""

from openstack import exceptions as sdk_exc

from godwit.cli import waiting
from tests.unit.cli.conftest import (
    assert_error_line,
    fault,
    make_migration,
    make_server,
    run,
    table_row,
)

# What a terminal gets: the progress bar redrawn at every poll.
TERMINAL = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "NO_COLOR": "1", "COLUMNS": "120"}
BEFORE = "2024-05-01T11:00:00Z"


def resizing(progress, task="resize_migrating"):
    return make_server(
        "srv-1", "web1", status="RESIZE", progress=progress, **{"OS-EXT-STS:task_state": task}
    )


def test_resize_resolves_the_flavor_and_shows_the_server(conn):
    conn.compute.timeline["srv-1"] = [resizing(0, task="resize_prep")]

    result = run("server", "resize", "web1", "--flavor", "m1.medium")

    assert result.exit_code == 0, result.output
    assert conn.compute.actions == [("resize", "srv-1", "flv-2")]
    assert table_row(result.stdout, "status") == ["status", "RESIZE"]
    assert table_row(result.stdout, "task_state") == ["task_state", "resize_prep"]
    assert conn.sleeps == []


def test_resize_needs_a_flavor(conn):
    result = run("server", "resize", "web1")

    assert result.exit_code == 2
    assert "Missing option '--flavor'" in result.stderr
    assert conn.compute.actions == []


def test_resize_to_an_unknown_flavor_sends_nothing(conn):
    result = run("server", "resize", "web1", "--flavor", "m1.huge")

    assert_error_line(result, "No Flavor found for m1.huge")
    assert conn.compute.actions == []


def test_resize_refused_by_the_api_shows_its_message(conn):
    conn.compute.action_error = sdk_exc.BadRequestException(
        message="400: Client Error for url: http://api/v2.1/servers/srv-1/action",
        details="When resizing, instances must change flavor!",
        http_status=400,
    )

    result = run("server", "resize", "web1", "--flavor", "m1.small", "--wait")

    assert_error_line(result, "When resizing, instances must change flavor! (HTTP 400)")
    assert conn.sleeps == []


def test_resize_wait_follows_the_progress_until_verify_resize(conn):
    conn.compute.timeline["srv-1"] = [
        resizing(0, task="resize_prep"),
        resizing(40),
        resizing(100, task="resize_migrated"),
        make_server("srv-1", "web1", status="VERIFY_RESIZE", progress=100),
    ]

    result = run("server", "resize", "web1", "--flavor", "m1.medium", "--wait", env=TERMINAL)

    assert result.exit_code == 0, result.output
    assert conn.sleeps == [waiting.POLL_INTERVAL] * 3
    assert table_row(result.stdout, "status") == ["status", "VERIFY_RESIZE"]
    drawn = result.stderr
    assert drawn.index("0% RESIZE (resize_prep)") < drawn.index("40% RESIZE (resize_migrating)")
    assert drawn.index("40% RESIZE") < drawn.index("100% VERIFY_RESIZE")


def test_resize_wait_reports_the_fault_when_the_server_goes_to_error(conn):
    conn.compute.timeline["srv-1"] = [
        resizing(40),
        make_server(
            "srv-1", "web1", status="ERROR",
            fault={"code": 500, "message": "Reverting on the source failed: disk gone"},
        ),
    ]  # fmt: skip

    result = run("server", "resize", "web1", "--flavor", "m1.medium", "--wait")

    assert_error_line(
        result, "Server web1 (srv-1) went to ERROR: Reverting on the source failed: disk gone"
    )
    assert result.stdout == ""


def test_resize_wait_reports_the_migration_error_to_an_admin(conn):
    conn.compute.listing = [make_server("srv-1", "web1", updated_at=BEFORE)]
    conn.compute.timeline["srv-1"] = [resizing(40), make_server("srv-1", "web1")]
    conn.session.migrations = [
        make_migration(
            "mig-2", status="error", outcome="failed",
            error="Copying the base disk failed: No space left on device",
            created_at="2024-05-01T12:00:00Z",
        ),
        make_migration("mig-1", status="finished", outcome="confirmed"),
    ]  # fmt: skip

    result = run("server", "resize", "web1", "--flavor", "m1.medium", "--wait")

    assert_error_line(
        result,
        "Resize of server web1 (srv-1) failed: migration mig-2 ended error: Copying the base "
        "disk failed: No space left on device. The server is ACTIVE.",
    )
    assert conn.session.requests == [("GET", "/servers/srv-1/migrations", {}, None)]


def test_resize_wait_reports_a_cancelled_migration(conn):
    conn.compute.timeline["srv-1"] = [resizing(40), make_server("srv-1", "web1")]
    conn.session.migrations = [make_migration("mig-2", status="cancelled", outcome="cancelled")]

    result = run("server", "resize", "web1", "--flavor", "m1.medium", "--wait")

    assert_error_line(
        result,
        "Resize of server web1 (srv-1) failed: migration mig-2 ended cancelled. "
        "The server is ACTIVE.",
    )


def test_resize_wait_does_not_blame_an_older_failed_migration(conn):
    conn.compute.listing = [make_server("srv-1", "web1", updated_at="2024-05-01T12:00:30Z")]
    conn.compute.timeline["srv-1"] = [resizing(0, task="resize_prep"), make_server("srv-1", "web1")]
    conn.session.migrations = [
        make_migration("mig-1", status="error", error="old", created_at="2024-05-01T12:00:30Z")
    ]

    result = run("server", "resize", "web1", "--flavor", "m1.medium", "--wait")

    assert_error_line(
        result,
        "Resize of server web1 (srv-1) did not complete: the server is ACTIVE. An administrator "
        "can see why with: godwit migration list --server srv-1",
    )


def test_resize_wait_without_admin_rights_says_the_server_is_back(conn):
    conn.compute.timeline["srv-1"] = [resizing(40), make_server("srv-1", "web1")]
    conn.session.migrations = [make_migration("mig-2", status="error", error="hidden")]
    conn.session.answer = fault(403, "Permission denied")

    result = run("server", "resize", "web1", "--flavor", "m1.medium", "--wait")

    assert_error_line(
        result,
        "Resize of server web1 (srv-1) did not complete: the server is ACTIVE. An administrator "
        "can see why with: godwit migration list --server srv-1",
    )
    assert conn.session.requests == [("GET", "/servers/srv-1/migrations", {}, None)]


def test_migrate_finds_a_server_of_any_project_and_names_the_host(conn):
    conn.compute.other_projects = [make_server("srv-9", "tenant-vm")]
    conn.compute.timeline["srv-9"] = [
        make_server("srv-9", "tenant-vm", status="RESIZE", progress=0),
        make_server("srv-9", "tenant-vm", status="VERIFY_RESIZE", progress=100),
    ]

    result = run("server", "migrate", "tenant-vm", "--host", "compute-3", "--wait")

    assert result.exit_code == 0, result.output
    assert conn.compute.actions == [("migrate", "srv-9", "compute-3")]
    assert table_row(result.stdout, "status") == ["status", "VERIFY_RESIZE"]
    assert "100%" in result.stderr


def test_migrate_prefers_the_callers_own_server_of_that_name(conn):
    conn.compute.other_projects = [make_server("srv-9", "web1")]

    result = run("server", "migrate", "web1")

    assert result.exit_code == 0, result.output
    assert conn.compute.actions == [("migrate", "srv-1", None)]


def test_migrate_unknown_server_by_a_non_admin_is_not_found(conn):
    conn.compute.all_projects_error = sdk_exc.ForbiddenException(
        message="403: Client Error for url: http://api/v2.1/servers/detail",
        details="Policy doesn't allow os_compute_api:servers:detail:get_all_tenants.",
        http_status=403,
    )

    result = run("server", "migrate", "ghost")

    assert_error_line(result, "No Server found for ghost")
    assert conn.compute.actions == []


def test_migrate_without_host_lets_the_scheduler_choose(conn):
    conn.compute.timeline["srv-1"] = [resizing(0, task="resize_prep")]

    result = run("server", "migrate", "web1")

    assert result.exit_code == 0, result.output
    assert conn.compute.actions == [("migrate", "srv-1", None)]
    assert table_row(result.stdout, "status") == ["status", "RESIZE"]


def test_migrate_wait_reports_the_migration_error(conn):
    conn.compute.timeline["srv-1"] = [resizing(10), make_server("srv-1", "web1")]
    conn.session.migrations = [
        make_migration("mig-3", type="migration", status="error", error="Snapshot failed: busy")
    ]

    result = run("server", "migrate", "web1", "--wait")

    assert_error_line(
        result,
        "Migration of server web1 (srv-1) failed: migration mig-3 ended error: "
        "Snapshot failed: busy. The server is ACTIVE.",
    )


def test_migrate_host_refused_by_the_sdk_is_one_error_line(conn):
    def old_cloud(server, host=None):
        raise ValueError("The 'host' option is only supported on microversion 2.56 or greater.")

    conn.compute.migrate_server = old_cloud

    result = run("server", "migrate", "web1", "--host", "compute-2")

    assert_error_line(
        result, "The 'host' option is only supported on microversion 2.56 or greater."
    )


def test_migrate_by_a_non_admin_shows_the_policy_message(conn):
    conn.compute.action_error = sdk_exc.ForbiddenException(
        message="403: Client Error for url: http://api/v2.1/servers/srv-1/action",
        details="Policy doesn't allow os_compute_api:os-migrate-server:migrate to be performed.",
        http_status=403,
    )

    result = run("server", "migrate", "web1")

    assert_error_line(
        result,
        "Policy doesn't allow os_compute_api:os-migrate-server:migrate to be performed. (HTTP 403)",
    )


def test_resize_confirm_sends_the_action_and_prints_nothing(conn):
    result = run("server", "resize-confirm", "web1")

    assert result.exit_code == 0, result.output
    assert conn.compute.actions == [("confirmResize", "srv-1", None)]
    assert result.stdout == ""


def test_resize_confirm_in_the_wrong_state_shows_the_api_message(conn):
    conn.compute.action_error = sdk_exc.ConflictException(
        message="409: Client Error for url: http://api/v2.1/servers/srv-1/action",
        details="Cannot 'confirmResize' instance srv-1 while it is in vm_state active",
        http_status=409,
    )

    result = run("server", "resize-confirm", "web1")

    assert_error_line(
        result, "Cannot 'confirmResize' instance srv-1 while it is in vm_state active (HTTP 409)"
    )


def test_resize_revert_wait_until_active(conn):
    conn.compute.timeline["srv-1"] = [
        make_server("srv-1", "web1", status="REVERT_RESIZE"),
        make_server("srv-1", "web1", status="ACTIVE"),
    ]

    result = run("server", "resize-revert", "web1", "--wait")

    assert result.exit_code == 0, result.output
    assert conn.compute.actions == [("revertResize", "srv-1", None)]
    assert conn.sleeps == [waiting.POLL_INTERVAL]
    assert table_row(result.stdout, "status") == ["status", "ACTIVE"]
    assert "100%" in result.stderr


def test_resize_revert_of_a_stopped_server_ends_shutoff(conn):
    conn.compute.timeline["srv-2"] = [
        make_server("srv-2", "db1", status="REVERT_RESIZE"),
        make_server("srv-2", "db1", status="SHUTOFF"),
    ]

    result = run("server", "resize-revert", "db1", "--wait")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "status") == ["status", "SHUTOFF"]


def test_resize_revert_wait_reports_the_fault(conn):
    conn.compute.timeline["srv-1"] = [
        make_server("srv-1", "web1", status="REVERT_RESIZE"),
        make_server(
            "srv-1", "web1", status="ERROR",
            fault={"message": "Reverting on the source failed: VM gone"},
        ),
    ]  # fmt: skip

    result = run("server", "resize-revert", "web1", "--wait")

    assert_error_line(
        result, "Server web1 (srv-1) went to ERROR: Reverting on the source failed: VM gone"
    )


def test_resize_revert_without_wait_shows_the_server(conn):
    conn.compute.timeline["srv-1"] = [make_server("srv-1", "web1", status="REVERT_RESIZE")]

    result = run("server", "resize-revert", "web1")

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "status") == ["status", "REVERT_RESIZE"]
    assert conn.sleeps == []
