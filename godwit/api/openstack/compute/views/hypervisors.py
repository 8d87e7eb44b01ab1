"""Hypervisor bodies in Nova's (pre-2.88) shape, from a host row and its compute service."""
import re

from godwit.api.openstack import microversion as mv
from godwit.conf import CONF
from godwit.db import api as db


def version_to_int(text):
    """Nova's integer encoding of a dotted version: "8.2.1" -> 8002001 (1000 per part)."""
    number = 0
    for part in str(text or "").split("."):
        digits = re.match(r"\d*", part).group()
        if not digits:
            break
        number = number * 1000 + int(digits)
    return number


def hypervisor_id(req, host):
    return host.uuid if mv.is_supported(req, "2.53") else host.id


def service_id(req, service):
    if service is None:
        return None
    return service.uuid if mv.is_supported(req, "2.53") else service.id


def state(service):
    up = service is not None and db.service_is_up(service, CONF.service_down_time)
    return "up" if up else "down"


def status(service):
    return "disabled" if service is None or service.disabled else "enabled"


def basic(req, host, service):
    return {"id": hypervisor_id(req, host), "hypervisor_hostname": host.name,
            "state": state(service), "status": status(service)}


def detail(req, host, service):
    free_disk_gb = host.disk_gb - host.disk_gb_used
    return {
        **basic(req, host, service),
        "hypervisor_type": host.hypervisor_type,
        "hypervisor_version": version_to_int(host.hypervisor_version),
        "host_ip": host.address,
        "vcpus": host.vcpus,
        "memory_mb": host.memory_mb,
        "local_gb": host.disk_gb,
        "vcpus_used": host.vcpus_used,
        "memory_mb_used": host.memory_mb_used,
        "local_gb_used": host.disk_gb_used,
        "free_ram_mb": host.memory_mb - host.memory_mb_used,
        "free_disk_gb": free_disk_gb,
        "disk_available_least": free_disk_gb,
        "current_workload": 0,
        "running_vms": host.running_vms,
        "cpu_info": {} if mv.is_supported(req, "2.28") else "{}",
        "service": {"host": host.name, "id": service_id(req, service),
                    "disabled_reason": service.disabled_reason if service else None},
    }


STATISTICS = ("vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
              "local_gb_used", "free_ram_mb", "free_disk_gb", "current_workload",
              "running_vms", "disk_available_least")


def statistics(req, hypervisors):
    """Sums over all hypervisors (``GET /os-hypervisors/statistics``)."""
    details = [detail(req, host, service) for host, service in hypervisors]
    totals = {key: sum(item[key] for item in details) for key in STATISTICS}
    return {"count": len(details), **totals}
