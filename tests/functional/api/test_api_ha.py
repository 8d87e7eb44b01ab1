"""``GET /admin/v1/ha/events`` and ``POST /admin/v1/hosts/{id}/unfence``: admin-only."""
import pytest

from godwit.db import api as db
from godwit.ha import events, fencing
from tests.functional.api.conftest import error_message

NOT_ADMINS = ("member", "other")


def test_events_list_the_monitor_log_oldest_first(admin_api):
    events.record("host1", events.SUSPECT, "no heartbeat")
    events.record("host1", events.FENCE_START)
    events.record("host2", events.SUSPECT)
    resp = admin_api.get("/v1/ha/events?host=host1", user="admin")
    assert resp.status_int == 200, resp.text
    assert [(e["host"], e["event"]) for e in resp.json["events"]] == \
        [("host1", "suspect"), ("host1", "fence-start")]
    last = admin_api.get("/v1/ha/events?limit=1", user="admin").json["events"]
    assert [(e["host"], e["event"]) for e in last] == [("host2", "suspect")]


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=x", "limit"),
                                          ("colour=red", "colour")])
def test_bad_event_query_is_a_400_naming_the_field(admin_api, query, field):
    assert field in error_message(admin_api.get(f"/v1/ha/events?{query}",
                                                user="admin"), 400)


def test_unfence_makes_a_fenced_host_ready(admin_api):
    fencing.mark_fenced("host1")
    resp = admin_api.post("/v1/hosts/host1/unfence", user="admin")
    assert resp.status_int == 200, resp.text
    assert db.host_get("host1").maintenance_state == "ready"
    assert "not fenced" in error_message(
        admin_api.post("/v1/hosts/host1/unfence", user="admin"), 409)


@pytest.mark.parametrize("user", NOT_ADMINS)
def test_ha_routes_are_for_admins_only(admin_api, user):
    fencing.mark_fenced("host1")
    assert error_message(admin_api.get("/v1/ha/events", user=user), 403) == \
        "Permission denied"
    assert error_message(admin_api.post("/v1/hosts/host1/unfence", user=user),
                         403) == "Permission denied"
    assert db.host_get("host1").maintenance_state == "fenced"
