"""``GET /os-aggregates`` (admin, read-only): godwit's clusters seen as Nova host aggregates.

Served so that clients which list aggregates alongside hypervisors (``openstack hypervisor
show``) work; clusters are managed through the admin API.
"""
from godwit import policy
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import topology


class AggregatesController:

    def index(self, req):
        policy.authorize(req.context, "os_compute_api:os-aggregates:index")
        return {"aggregates": [_aggregate(req, cluster, zone, hosts)
                               for cluster, zone, hosts in topology.clusters()]}


def _aggregate(req, cluster, zone, hosts):
    body = {"id": cluster.id, "name": cluster.name, "availability_zone": zone,
            "hosts": hosts, "metadata": {"availability_zone": zone} if zone else {},
            "created_at": common.iso_micro(cluster.created_at),
            "updated_at": common.iso_micro(cluster.updated_at),
            "deleted": False, "deleted_at": None}
    if mv.is_supported(req, "2.41"):
        body["uuid"] = cluster.uuid
    return body
