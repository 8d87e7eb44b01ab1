"""``/admin/v1/hosts/{id}/flush`` and ``/unflush``: evacuate a host and bring its instances
back (``godwit.compute.flush``); ``GET .../flush`` shows the host's state and progress.

``{id}`` is the host's uuid or name. A flush body may give ``concurrency`` (moves at a time;
default ``[ha] flush_concurrency``) and ``dry_run`` (true: the plan, each instance with its
target and method or why it has none, and nothing moves). A flush or unflush answers 202
with the progress; a new request cancels the running one after its moves in flight. A
fenced host, or one whose compute worker is down, is a 409.
"""
from godwit.api import validation
from godwit.api.admin.access import admin_only
from godwit.api.openstack import common
from godwit.api.wsgi import json_response, response

RULE = "godwit_admin:hosts:"

_CONCURRENCY = {"type": "integer", "minimum": 1, "maximum": 64}
FLUSH = {"type": "object", "properties": {"concurrency": _CONCURRENCY,
                                          "dry_run": {"type": "boolean"}},
         "additionalProperties": False}
UNFLUSH = {"type": "object", "properties": {"concurrency": _CONCURRENCY},
           "additionalProperties": False}


class FlushController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    @response(202)
    @admin_only(RULE + "flush")
    @validation.schema(FLUSH, optional=True)
    def flush(self, req, id, body):
        """202 with the progress; a dry run is a 200 with the plan."""
        if body.get("dry_run"):
            host, steps = self.compute_api.flush_host(req.context, id, dry_run=True)
            return json_response({"host": host, "dry_run": True,
                                  "plan": [plan_step(step) for step in steps]})
        self.compute_api.flush_host(req.context, id, concurrency=body.get("concurrency"))
        return self._status(req, id)

    @response(202)
    @admin_only(RULE + "unflush")
    @validation.schema(UNFLUSH, optional=True)
    def unflush(self, req, id, body):
        self.compute_api.unflush_host(req.context, id, concurrency=body.get("concurrency"))
        return self._status(req, id)

    @admin_only(RULE + "flush_status")
    def show(self, req, id):
        return self._status(req, id)

    def _status(self, req, id):
        host, state, row = self.compute_api.flush_status(req.context, id)
        return {"host": host, "maintenance_state": state, "flush": progress(row)}


def plan_step(step):
    return {"instance": step.instance.uuid, "name": step.instance.display_name,
            "target": step.target, "method": step.method, "reason": step.reason}


def progress(row):
    """The last flush or unflush of a host (None if it never had one)."""
    if row is None:
        return None
    return {"kind": row.kind, "generation": row.generation, "concurrency": row.concurrency,
            "total": row.total, "done": row.done, "current": row.current,
            "failures": row.failures, "stopped": row.stopped,
            "finished": row.finished_at is not None,
            "finished_at": common.iso_z(row.finished_at) if row.finished_at else None}
