"""`godwit ha events` and `godwit host unfence`: the admin API requests sent and what is
shown."""

import pytest

from tests.unit.cli.conftest import assert_error_line, fault, json_response, run, table_row


@pytest.fixture
def api(conn):
    session = conn.session

    def route(method, parts, params):
        if (method, parts) == ("GET", ["ha", "events"]):
            return json_response(200, {"events": [
                {"id": 1, "time": "2026-11-22T07:00:00", "host": "compute-3",
                 "event": "fence-ok", "instance": None, "message": "confirmed off"}]})
        assert (method, parts) == ("POST", ["hosts", "compute-3", "unfence"]), parts
        return json_response(200, {"host": "compute-3", "maintenance_state": "ready"})

    session._route = route
    return conn


def test_events_lists_the_monitor_log(api):
    result = run("ha", "events", "--host", "compute-3", "--limit", "5")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "2026-11-22T07:00:00")[1:3] == ["compute-3", "fence-ok"]
    assert api.session.requests == [("GET", "/ha/events", {"host": "compute-3", "limit": 5},
                                     None)]


def test_unfence_shows_the_host_ready(api):
    result = run("host", "unfence", "compute-3")
    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "Maintenance state")[1] == "ready"


def test_a_refused_unfence_prints_the_apis_reason(api):
    api.session.answer = fault(409, "Host compute-3 is not fenced.")
    result = run("host", "unfence", "compute-3")
    assert_error_line(result, "Host compute-3 is not fenced. (HTTP 409)")
