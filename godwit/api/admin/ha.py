"""``/admin/v1/ha/events``: the HA monitor's log (suspect, cleared, fence, recovery), oldest
first, optionally of one ``host`` (uuid or name) and only the last ``limit`` (1 to 1000,
default 100); ``POST /admin/v1/hosts/{id}/unfence``: an admin's word that a fenced host is
healthy again (a fenced host never goes back to ready by itself; 409 unless fenced)."""
from godwit.api import validation
from godwit.api.admin.access import admin_only

DEFAULT_LIMIT = 100
EVENTS_QUERY = {
    "type": "object",
    "properties": {"host": {"type": "string", "minLength": 1, "maxLength": 255},
                   "limit": {"type": "integer", "minimum": 1, "maximum": 1000}},
    "additionalProperties": False,
}


class HAController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @admin_only("godwit_admin:ha:events")
    def events(self, req):
        query = dict(req.GET.items())
        if query.get("limit", "").isdigit():
            query["limit"] = int(query["limit"])
        validation.validate(query, EVENTS_QUERY)
        rows = self.compute_api.ha_events(req.context, query.get("host"),
                                          query.get("limit", DEFAULT_LIMIT))
        return {"events": [event_view(row) for row in rows]}

    @admin_only("godwit_admin:hosts:unfence")
    def unfence(self, req, id):
        host = self.compute_api.unfence_host(req.context, id)
        return {"host": host, "maintenance_state": "ready"}


def event_view(row):
    return {"id": row.id, "time": row.created_at.isoformat(), "host": row.host,
            "event": row.event, "instance": row.instance_uuid, "message": row.message}
