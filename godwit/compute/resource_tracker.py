"""A compute host's capacity and usage in the database.

Usage changes only inside the transaction that moves an instance onto or off the host, so
the counters and the instances always agree; ``audit`` repairs them if they ever do not.
"""
from godwit.compute import flavors
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy


def register_host(driver):
    """Records this host's capacity, hypervisor type and version (at every start).

    A host nobody added beforehand joins [compute] cluster, Disabled unless
    [compute] enable_new_hosts; a known host keeps its cluster and allocation state.
    """
    info = driver.get_host_info()
    new_host = {"allocation_state": "Enabled" if CONF.compute.enable_new_hosts else "Disabled",
                "cluster_id": hierarchy.cluster_id(CONF.compute.cluster)
                if CONF.compute.cluster else None}
    return db.host_register(driver.host, new_host=new_host, values=dict(
        hypervisor_type=driver.hypervisor_type,
        hypervisor_version=info["hypervisor_version"], address=info.get("address"),
        vcpus=info["vcpus"], memory_mb=info["memory_mb"], disk_gb=info["disk_gb"],
        cpu_allocation_ratio=CONF.compute.cpu_allocation_ratio,
        ram_allocation_ratio=CONF.compute.ram_allocation_ratio,
        disk_allocation_ratio=CONF.compute.disk_allocation_ratio))


def needs(instance):
    """What an instance takes from its host: (vcpus, memory_mb, disk_gb)."""
    return flavors.needs(flavors.from_instance(instance))


def audit(host):
    db.host_recount_usage(host)
