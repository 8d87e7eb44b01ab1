"""`godwit host flush|unflush`: the admin API requests sent, the plan and progress shown,
and the exit code when moves failed."""

import re

import pytest

from tests.unit.cli.conftest import assert_error_line, fault, json_response, run, table_row


def _status(state, done, total, generation=3, kind="flush", finished=False, failures=(),
            current=()):
    return {"host": "compute-1", "maintenance_state": state,
            "flush": {"kind": kind, "generation": generation, "concurrency": 2,
                      "total": total, "done": done, "current": list(current),
                      "failures": list(failures), "finished": finished,
                      "finished_at": None}}


@pytest.fixture
def host(conn):
    """The admin API answers the flush routes: ``statuses`` are the successive answers of
    GET .../flush (the last one repeats)."""
    session = conn.session
    session.statuses = [_status("flushed", 2, 2, finished=True)]

    def route(method, parts, params):
        assert parts[:2] == ["hosts", "compute-1"], parts
        if (method, parts[2:]) == ("GET", ["flush"]):
            answer = session.statuses[0]
            if len(session.statuses) > 1:
                session.statuses.pop(0)
            return json_response(200, answer)
        if (method, parts[2]) == ("POST", "flush") and session.requests[-1][3].get("dry_run"):
            return json_response(200, {"host": "compute-1", "dry_run": True, "plan": [
                {"instance": "srv-1", "name": "web1", "target": "compute-2",
                 "method": "shutdown", "reason": None},
                {"instance": "srv-2", "name": "db1", "target": None, "method": "shutdown",
                 "reason": "no host can take it"}]})
        kind = parts[2]
        return json_response(202, _status(f"{kind}ing", 0, 2, kind=kind))

    session._route = route
    return conn


def test_dry_run_shows_the_plan_and_moves_nothing(host):
    result = run("host", "flush", "compute-1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "srv-1")[1:4] == ["web1", "compute-2", "shutdown"]
    assert table_row(result.stdout, "srv-2")[4] == "no host can take it"
    assert host.session.requests == [("POST", "/hosts/compute-1/flush", {},
                                      {"dry_run": True})]


def test_flush_sends_the_concurrency_and_shows_the_state(host):
    result = run("host", "flush", "compute-1", "--concurrency", "2")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "Maintenance state")[1] == "flushing"
    assert table_row(result.stdout, "Progress")[1] == "0/2"
    assert host.session.requests == [("POST", "/hosts/compute-1/flush", {},
                                      {"concurrency": 2})]


def test_flush_wait_follows_progress_until_the_host_is_flushed(host):
    host.session.statuses = [
        _status("flushing", 0, 2, current=[{"instance": "srv-1", "target": "compute-2",
                                            "method": "live"}]),
        _status("flushing", 1, 2),
        _status("flushed", 2, 2, finished=True)]
    result = run("host", "flush", "compute-1", "--wait")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "Maintenance state")[1] == "flushed"
    assert table_row(result.stdout, "Progress")[1] == "2/2"
    assert len(host.sleeps) == 2


def test_flush_wait_exits_1_with_the_reasons_of_failed_moves(host):
    host.session.statuses = [_status("flushed", 2, 2, finished=True, failures=[
        {"instance": "srv-2", "reason": "cold migration to compute-2 failed: disk full"}])]
    result = run("host", "flush", "compute-1", "--wait")
    assert_error_line(result, "The flush of host compute-1 ended in state flushed with 1 "
                              "failure(s): srv-2: cold migration to compute-2 failed: "
                              "disk full")


def test_flush_wait_says_when_a_newer_request_cancelled_it(host):
    host.session.statuses = [_status("unflushing", 0, 2, generation=4, kind="unflush")]
    result = run("host", "flush", "compute-1", "--wait")
    assert_error_line(result, "The flush of host compute-1 was cancelled by a newer request "
                              "(unflush #4).")


def test_unflush_wait_ends_when_the_host_is_ready(host):
    host.session.statuses = [_status("ready", 2, 2, kind="unflush", finished=True)]
    result = run("host", "unflush", "compute-1", "--wait")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "Maintenance state")[1] == "ready"
    assert host.session.requests[0] == ("POST", "/hosts/compute-1/unflush", {}, {})


def test_a_refused_flush_prints_the_apis_reason(host):
    host.session.answer = fault(409, "Host compute-1 cannot be flushed: it is fenced.")
    result = run("host", "flush", "compute-1")
    assert_error_line(result, "Host compute-1 cannot be flushed: it is fenced. (HTTP 409)")


def test_dry_run_excludes_wait(host):
    result = run("host", "flush", "compute-1", "--dry-run", "--wait")
    assert result.exit_code == 2
    assert host.session.requests == []


def _moving_servers(count):
    return [{"instance": f"{index:08d}-1111-2222-3333-444444444444", "target": "compute-2",
             "method": "live"} for index in range(count)]


def _frames(stderr):
    """Each drawing of the progress bar, as the terminal shows it (colours left out)."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stderr)
    return [frame.strip() for frame in re.split(r"[\r\n]", plain) if "Flush" in frame]


def test_flush_wait_counts_the_moving_servers_so_the_bar_fits_80_columns(host):
    moving = _moving_servers(5)
    host.session.statuses = [_status("flushing", 0, 5, current=moving),
                             _status("flushing", 3, 5, current=moving[3:]),
                             _status("flushed", 5, 5, finished=True)]
    # FORCE_COLOR: rich draws every update, as in a terminal.
    result = run("host", "flush", "compute-1", "--wait",
                 env={"COLUMNS": "80", "FORCE_COLOR": "1"})
    assert result.exit_code == 0, result.output
    frames = _frames(result.stderr)
    assert any("Flush compute-1 " in frame and "flushing, 5 moving" in frame
               for frame in frames), frames
    assert any("flushing, 2 moving" in frame for frame in frames), frames
    for frame in frames:
        assert len(frame) <= 80, frame
        assert re.search(r"\d+:\d\d:\d\d$", frame), frame  # the elapsed time, whole
    assert "00000000-1111" not in result.stderr


def test_flush_wait_verbose_prints_each_move_once_as_it_starts(host):
    moving = _moving_servers(3)
    host.session.statuses = [_status("flushing", 0, 3, current=moving[:2]),
                             _status("flushing", 1, 3, current=moving[1:]),
                             _status("flushed", 3, 3, finished=True)]
    result = run("host", "flush", "compute-1", "--wait", "--verbose",
                 env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Moving ")]
    assert lines == [f"Moving {entry['instance']} -> compute-2 (live)" for entry in moving]
