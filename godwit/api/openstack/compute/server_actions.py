"""``POST /servers/{id}/action``: os-start, os-stop, reboot, suspend, resume, resize,
confirmResize, revertResize, migrate, os-migrateLive, addSecurityGroup and
removeSecurityGroup.

The body names exactly one action; anything else is Nova's "There is no such action". Each
action has its own policy rule and success code: Nova's 202, but 204 for confirmResize.
"""
import collections

from godwit import exception, policy
from godwit.api import validation, wsgi
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute.schemas import servers as schemas
from godwit.api.openstack.compute.server_filters import id_from_href
from godwit.api.openstack.compute.servers import get_instance

RULE = "os_compute_api:"

# An action's policy rule, its handler(context, instance, arguments) and its success code.
Action = collections.namedtuple("Action", "rule handler code", defaults=(202,))


class ServerActionsController:

    def __init__(self, compute_api):
        self.compute_api = compute_api
        self.actions = {
            "os-start": Action(RULE + "servers:start", self._start),
            "os-stop": Action(RULE + "servers:stop", self._stop),
            "reboot": Action(RULE + "servers:reboot", self._reboot),
            "suspend": Action(RULE + "os-suspend-server:suspend", self._suspend),
            "resume": Action(RULE + "os-suspend-server:resume", self._resume),
            "resize": Action(RULE + "servers:resize", self._resize),
            "confirmResize": Action(RULE + "servers:confirm_resize", self._confirm_resize, 204),
            "revertResize": Action(RULE + "servers:revert_resize", self._revert_resize),
            "migrate": Action(RULE + "os-migrate-server:migrate", self._migrate),
            "os-migrateLive": Action(RULE + "os-migrate-server:migrate_live",
                                     self._live_migrate),
            "addSecurityGroup": Action(RULE + "os-security-groups:add",
                                       self._add_security_group),
            "removeSecurityGroup": Action(RULE + "os-security-groups:remove",
                                          self._remove_security_group),
        }

    def action(self, req, id):
        body = validation.read_json(req)
        name = next(iter(body), None) if len(body) == 1 else None
        if name not in self.actions:
            raise exception.Invalid(f"There is no such action: {', '.join(body) or '(none)'}")
        table = schemas.ACTIONS_V256 if mv.is_supported(req, "2.56") else schemas.ACTIONS
        validation.validate(body, schemas.action(name, table))
        instance = get_instance(self.compute_api, req, id)
        action = self.actions[name]
        policy.authorize(req.context, action.rule, {"project_id": instance.project_id})
        action.handler(req.context, instance, body[name])
        return wsgi.empty_response(action.code)

    def _start(self, context, instance, _arguments):
        self.compute_api.start(context, instance.uuid)

    def _stop(self, context, instance, _arguments):
        self.compute_api.stop(context, instance.uuid)

    def _reboot(self, context, instance, arguments):
        self.compute_api.reboot(context, instance.uuid, hard=arguments["type"].upper() == "HARD")

    def _suspend(self, context, instance, _arguments):
        self.compute_api.suspend(context, instance.uuid)

    def _resume(self, context, instance, _arguments):
        self.compute_api.resume(context, instance.uuid)

    def _resize(self, context, instance, arguments):
        """``OS-DCF:diskConfig`` is accepted and ignored: godwit's disks are always MANUAL."""
        self.compute_api.resize(context, instance.uuid, id_from_href(arguments["flavorRef"]))

    def _confirm_resize(self, context, instance, _arguments):
        self.compute_api.confirm_resize(context, instance.uuid)

    def _revert_resize(self, context, instance, _arguments):
        self.compute_api.revert_resize(context, instance.uuid)

    def _add_security_group(self, context, instance, arguments):
        self.compute_api.security_groups.add_to_instance(context, instance, arguments["name"])

    def _remove_security_group(self, context, instance, arguments):
        self.compute_api.security_groups.remove_from_instance(context, instance,
                                                              arguments["name"])

    def _migrate(self, context, instance, arguments):
        """Cold migration; from 2.56 to a host of the admin's choice (a rule of its own)."""
        host = (arguments or {}).get("host")
        if host is not None:
            policy.authorize(context, RULE + "os-migrate-server:migrate:host",
                             {"project_id": instance.project_id})
        self.compute_api.migrate(context, instance.uuid, host=host)

    def _live_migrate(self, context, instance, arguments):
        """Live migration inside the cluster (doc/live-migration.md); a null host is the
        first host of the cluster that can take the server. No block migration."""
        if arguments["block_migration"] is True:
            raise exception.Invalid("Block migration is not supported: live migration keeps "
                                    "the disks on the cluster's shared storage.")
        self.compute_api.live_migrate(context, instance.uuid, arguments["host"])
