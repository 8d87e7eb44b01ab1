"""``GET /limits``: absolute limits and usage of the caller's project (admins: any, with
``tenant_id``). godwit has no rate limits, so ``rate`` is empty, as in current Nova."""
from godwit import policy
from godwit.api.openstack import microversion as mv
from godwit.compute import quota

# Shown before 2.36 only; godwit has no network quotas, so they read as unlimited and unused.
_NETWORK_LIMITS = {"maxSecurityGroups": -1, "maxSecurityGroupRules": -1,
                   "maxTotalFloatingIps": -1, "totalSecurityGroupsUsed": 0,
                   "totalFloatingIpsUsed": 0}
# (first microversion without them, keys)
_REMOVED = (("2.36", tuple(_NETWORK_LIMITS)),
            ("2.39", ("maxImageMeta",)),
            ("2.57", ("maxPersonality", "maxPersonalitySize")))


class LimitsController:

    def index(self, req):
        context = req.context
        policy.authorize(context, "os_compute_api:limits")
        project_id = context.project_id
        if "tenant_id" in req.GET and req.GET["tenant_id"] != project_id:
            project_id = req.GET["tenant_id"]
            policy.authorize(context, "os_compute_api:limits:other_project",
                             {"project_id": project_id})
        absolute = {**_NETWORK_LIMITS, **quota.limits(project_id)}
        for version, keys in _REMOVED:
            if mv.is_supported(req, version):
                for key in keys:
                    absolute.pop(key, None)
        return {"limits": {"rate": [], "absolute": absolute}}
