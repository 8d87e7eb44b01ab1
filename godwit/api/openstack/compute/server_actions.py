"""``POST /servers/{id}/action``: os-start, os-stop and reboot, each a 202.

The body names exactly one action; anything else is Nova's "There is no such action".
"""
from godwit import exception, policy
from godwit.api import validation
from godwit.api.openstack.compute.schemas import servers as schemas
from godwit.api.openstack.compute.servers import get_instance
from godwit.api.wsgi import response


class ServerActionsController:

    def __init__(self, compute_api):
        self.compute_api = compute_api
        # action name -> (policy rule, handler(context, instance uuid, arguments))
        self.actions = {
            "os-start": ("os_compute_api:servers:start", self._start),
            "os-stop": ("os_compute_api:servers:stop", self._stop),
            "reboot": ("os_compute_api:servers:reboot", self._reboot),
        }

    @response(202)
    def action(self, req, id):
        body = validation.read_json(req)
        name = next(iter(body), None) if len(body) == 1 else None
        if name not in self.actions:
            raise exception.Invalid(f"There is no such action: {', '.join(body) or '(none)'}")
        validation.validate(body, schemas.action(name))
        instance = get_instance(self.compute_api, req, id)
        rule, handler = self.actions[name]
        policy.authorize(req.context, rule, {"project_id": instance.project_id})
        handler(req.context, instance.uuid, body[name])

    def _start(self, context, instance_uuid, _arguments):
        self.compute_api.start(context, instance_uuid)

    def _stop(self, context, instance_uuid, _arguments):
        self.compute_api.stop(context, instance_uuid)

    def _reboot(self, context, instance_uuid, arguments):
        self.compute_api.reboot(context, instance_uuid, hard=arguments["type"].upper() == "HARD")
