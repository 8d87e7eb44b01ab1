"""``/os-availability-zone``: zones for everyone, zones with hosts and services for admins.

The zones are the hierarchy's zones plus the default zone of hosts in none. A zone is
available while it has an enabled service (Nova's rule) and is not Disabled; a disabled zone
is listed only to those ``godwit_admin:zones:disabled`` allows (admins). The ``internal``
zone of non-compute services appears only in the admin detail.
"""
from godwit import placement, policy
from godwit.api.openstack import common
from godwit.api.openstack.compute import topology
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy

RULE = "os_compute_api:os-availability-zone:"


def _zone(name, available, hosts=None):
    return {"zoneName": name, "zoneState": {"available": available}, "hosts": hosts}


class AvailabilityZonesController:

    def index(self, req):
        policy.authorize(req.context, RULE + "list")
        available, unavailable = _availability(req, db.service_list(), hierarchy.host_zones())
        return {"availabilityZoneInfo": [_zone(name, True) for name in available] +
                                        [_zone(name, False) for name in unavailable]}

    def detail(self, req):
        policy.authorize(req.context, RULE + "detail")
        services = db.service_list()
        zones = hierarchy.host_zones()
        available, unavailable = _availability(req, services, zones)
        hosts = _hosts_by_zone(services, zones)
        if topology.INTERNAL_ZONE in hosts:
            available = [topology.INTERNAL_ZONE] + available
        return {"availabilityZoneInfo": [_zone(name, True, hosts.get(name, {}))
                                         for name in available] +
                                        [_zone(name, False) for name in unavailable]}


def _availability(req, services, zones):
    """(available, unavailable) zone names the caller may see."""
    available, unavailable = topology.zone_availability(services, zones)
    states = hierarchy.zone_states()
    disabled = {name for name, state in states.items() if state != hierarchy.ENABLED}
    unavailable = set(unavailable) | disabled | (set(states) - set(available))
    if not placement.sees_disabled_zones(req.context):
        unavailable -= disabled
    return ([name for name in available if name not in disabled],
            sorted(unavailable))


def _hosts_by_zone(services, zones):
    """{zone: {host: {binary: {available, active, updated_at}}}} of the enabled services."""
    hosts = {}
    for service in services:
        if service.disabled:
            continue
        zone = topology.zone_of_service(service, zones)
        hosts.setdefault(zone, {}).setdefault(service.host, {})[service.binary] = {
            "available": db.service_is_up(service, CONF.service_down_time),
            "active": True,
            "updated_at": common.iso_micro(service.last_seen_up or service.updated_at),
        }
    return hosts
