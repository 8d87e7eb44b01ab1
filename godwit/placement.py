"""Who may see and use disabled zones.

A Disabled zone (pod, cluster, host) takes no new work: the scheduler skips it. Only callers
that ``godwit_admin:zones:disabled`` allows (cloud administrators by default) see a disabled
zone at all, and only they may still create resources in it, e.g. to try a zone out before
opening it. Everyone else is told the zone is disabled when they name it for a new server
(and, as they come, images, volumes and snapshots), and is shown a 404 when they ask for it.
"""
from godwit import exception, policy
from godwit.db import hierarchy

DISABLED_ZONES_RULE = "godwit_admin:zones:disabled"


def sees_disabled_zones(context):
    return policy.check(context, DISABLED_ZONES_RULE)


def check_zone_open(context, zone_name):
    """Raises ZoneDisabled if the zone named ``zone_name`` is Disabled and the caller may not
    use disabled zones. A zone without a row (the default zone of hosts in no zone) is open."""
    if hierarchy.zone_states().get(zone_name) == hierarchy.DISABLED and \
            not sees_disabled_zones(context):
        raise exception.ZoneDisabled(zone=zone_name)
