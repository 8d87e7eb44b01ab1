"""Server bodies in Nova's shape, for the request's microversion and the caller's rights."""
import functools
import hashlib
import re

from godwit import policy
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import topology
from godwit.compute import states
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy

_FAULT_STATUSES = ("ERROR", "DELETED")
_PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")
INSTANCE_NAME_TEMPLATE = "instance-%08x"


def host_id(instance):
    """Nova's opaque ``hostId``: same host and project, same value; "" before scheduling."""
    if not instance.host:
        return ""
    return hashlib.sha224((instance.project_id + instance.host).encode("utf-8")).hexdigest()


def hostname(instance):
    """The guest hostname Nova derives from the display name (2.3 ``hostname``)."""
    name = re.sub(r"[ _.]", "-", instance.display_name or "")
    name = re.sub(r"[^\w-]+", "", name, flags=re.ASCII).lower().strip("-")[:63].rstrip("-")
    return name or f"server-{instance.uuid}"


class ServerViews:
    """Builds the servers of one response; what they share is looked up once, lazily."""

    def __init__(self, req):
        self.req = req
        self.context = req.context

    # --- shared lookups ------------------------------------------------------------------------

    @functools.cached_property
    def _zones(self):
        return hierarchy.host_zones()

    @functools.cached_property
    def _services(self):
        return {s.host: s for s in db.service_list(binary=topology.COMPUTE_BINARY)}

    def _allowed(self, rule, instance):
        return policy.check(self.context, rule, {"project_id": instance.project_id})

    # --- bodies --------------------------------------------------------------------------------

    def basic(self, instance):
        return {"id": instance.uuid, "name": instance.display_name,
                "links": common.resource_links(self.req, "servers", instance.uuid)}

    def create_response(self, instance):
        return {"id": instance.uuid, "OS-DCF:diskConfig": "MANUAL",
                "links": common.resource_links(self.req, "servers", instance.uuid)}

    def detail(self, instance):
        status = states.status_of(instance.vm_state, instance.task_state)
        server = {
            **self.basic(instance),
            "status": status,
            "tenant_id": instance.project_id,
            "user_id": instance.user_id,
            "metadata": {item.key: item.value for item in instance.metadata_items},
            "hostId": host_id(instance),
            "image": {"id": instance.image_ref,
                      "links": common.bookmark_link(self.req, "images", instance.image_ref)},
            "flavor": self._flavor(instance),
            "created": common.iso_z(instance.created_at),
            "updated": common.iso_z(instance.updated_at or instance.created_at),
            "addresses": {},
            "accessIPv4": "",
            "accessIPv6": "",
            "OS-DCF:diskConfig": "MANUAL",
            "OS-EXT-AZ:availability_zone": self._zone(instance),
            "config_drive": "",
            "key_name": instance.key_name,
            "OS-SRV-USG:launched_at": common.iso_micro(instance.launched_at),
            "OS-SRV-USG:terminated_at": common.iso_micro(instance.terminated_at),
            "OS-EXT-STS:task_state": instance.task_state,
            "OS-EXT-STS:vm_state": instance.vm_state,
            "OS-EXT-STS:power_state": instance.power_state,
            "os-extended-volumes:volumes_attached": [],
            "security_groups": [{"name": group.name} for group in instance.security_groups],
        }
        if status in _PROGRESS_STATUSES:
            server["progress"] = instance.progress or 0
        if status in _FAULT_STATUSES and instance.faults:
            server["fault"] = self._fault(instance.faults[0])
        if self._allowed("os_compute_api:os-extended-server-attributes", instance):
            server.update(self._extended_attributes(instance))
        if mv.is_supported(self.req, "2.16") and \
                self._allowed("os_compute_api:servers:show:host_status", instance):
            server["host_status"] = self._host_status(instance)
        if mv.is_supported(self.req, "2.9"):
            server["locked"] = bool(instance.locked)
        if mv.is_supported(self.req, "2.19"):
            server["description"] = instance.description
        if mv.is_supported(self.req, "2.26"):
            server["tags"] = []
        if mv.is_supported(self.req, "2.63"):
            server["trusted_image_certificates"] = None
        if mv.is_supported(self.req, "2.73"):
            server["locked_reason"] = None
        return server

    def show(self, instance):
        """``detail`` plus what Nova shows of one server only (2.71 ``server_groups``)."""
        server = self.detail(instance)
        if mv.is_supported(self.req, "2.71"):
            server["server_groups"] = []
        return server

    # --- parts ---------------------------------------------------------------------------------

    def _flavor(self, instance):
        if not mv.is_supported(self.req, "2.47"):
            return {"id": instance.flavorid,
                    "links": common.bookmark_link(self.req, "flavors", instance.flavorid)}
        flavor = {"vcpus": instance.vcpus, "ram": instance.memory_mb, "disk": instance.root_gb,
                  "ephemeral": instance.ephemeral_gb, "swap": instance.swap,
                  "original_name": instance.flavor_name}
        if self._allowed("os_compute_api:os-flavor-extra-specs:index", instance):
            flavor["extra_specs"] = dict(instance.flavor_extra_specs or {})
        return flavor

    def _zone(self, instance):
        if instance.host:
            return topology.zone_of_host(instance.host, self._zones)
        return instance.availability_zone or ""

    def _fault(self, fault):
        body = {"code": fault.code, "created": common.iso_z(fault.created_at),
                "message": fault.message}
        if fault.details and (fault.code != 500 or self.context.can_see_all_projects()):
            body["details"] = fault.details
        return body

    def _extended_attributes(self, instance):
        attributes = {
            "OS-EXT-SRV-ATTR:host": instance.host,
            "OS-EXT-SRV-ATTR:hypervisor_hostname": instance.node or instance.host,
            "OS-EXT-SRV-ATTR:instance_name": INSTANCE_NAME_TEMPLATE % instance.id,
        }
        if mv.is_supported(self.req, "2.3"):
            attributes.update({
                "OS-EXT-SRV-ATTR:reservation_id": instance.reservation_id,
                "OS-EXT-SRV-ATTR:launch_index": 0,
                "OS-EXT-SRV-ATTR:hostname": hostname(instance),
                "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:root_device_name": None,
                "OS-EXT-SRV-ATTR:user_data": None,
            })
        return attributes

    def _host_status(self, instance):
        """Nova's host_status: "" unscheduled, DOWN forced down, MAINTENANCE disabled."""
        if not instance.host:
            return ""
        service = self._services.get(instance.host)
        if service is None:
            return "UNKNOWN"
        if service.forced_down:
            return "DOWN"
        if db.service_is_up(service, CONF.service_down_time):
            return "MAINTENANCE" if service.disabled else "UP"
        return "UNKNOWN"
