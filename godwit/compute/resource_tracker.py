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
        disk_allocation_ratio=CONF.compute.disk_allocation_ratio, **_load(driver),
        **_bmc()))


def _bmc():
    """This host's BMC as [ha] says, rewritten at each start (a BMC's password changes
    in the config file); nothing when the config names no BMC, so what an admin
    recorded stays."""
    config = CONF.ha
    if not config.ipmi_address:
        return {}
    return {"ipmi_address": config.ipmi_address, "ipmi_username": config.ipmi_username,
            "ipmi_password": config.ipmi_password}


def report_load(driver):
    """Periodic: records the free memory and load the hypervisor reports now."""
    load = _load(driver)
    if load:
        db.host_register(driver.host, values=load)


def _load(driver):
    """The figures of ``driver.get_host_load()`` the hosts table keeps."""
    load = driver.get_host_load()
    return {key: load[key] for key in ("memory_free_mb", "load_average") if key in load}


def needs(instance):
    """What an instance takes from its host: (vcpus, memory_mb, disk_gb)."""
    return flavors.needs(flavors.from_instance(instance))


def audit(host):
    db.host_recount_usage(host)
