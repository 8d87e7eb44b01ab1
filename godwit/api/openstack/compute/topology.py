"""Where hosts sit: their availability zone and cluster, read from the zone > pod > cluster >
host hierarchy.

A host in no zone is in [api] default_availability_zone; services other than compute are in
Nova's ``internal`` zone. These read-only joins belong in ``godwit.db.api`` once it offers
them; they are here so the compute API does not wait for that.
"""
from sqlalchemy import select

from godwit.conf import CONF
from godwit.db import models
from godwit.db.session import reader

COMPUTE_BINARY = "godwit-compute"
INTERNAL_ZONE = "internal"


def zone_of_host(host, zones):
    return zones.get(host) or CONF.api.default_availability_zone


def zone_of_service(service, zones):
    if service.binary != COMPUTE_BINARY:
        return INTERNAL_ZONE
    return zone_of_host(service.host, zones)


def clusters():
    """[(cluster, zone name or None, [host names])] in id order."""
    with reader() as session:
        rows = session.execute(
            select(models.Cluster, models.Zone.name)
            .join(models.Pod, models.Cluster.pod_id == models.Pod.id)
            .join(models.Zone, models.Pod.zone_id == models.Zone.id)
            .order_by(models.Cluster.id)).all()
        members = session.execute(select(models.Host.cluster_id, models.Host.name)
                                  .where(models.Host.cluster_id.is_not(None))
                                  .order_by(models.Host.name)).all()
    hosts = {}
    for cluster_id, name in members:
        hosts.setdefault(cluster_id, []).append(name)
    return [(cluster, zone, hosts.get(cluster.id, [])) for cluster, zone in rows]


def zone_availability(services, zones):
    """(available, unavailable) zone names, internal excluded: a zone is available while it
    has an enabled service (Nova's rule)."""
    available, unavailable = set(), set()
    for service in services:
        zone = zone_of_service(service, zones)
        if zone != INTERNAL_ZONE:
            (unavailable if service.disabled else available).add(zone)
    return sorted(available), sorted(unavailable - available)
