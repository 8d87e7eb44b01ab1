"""An HA test cloud: three hosts with BMCs, a shared and a local instance on h1, and the
monitor's collaborators faked (clock, leadership, BMCs, compute RPC)."""
import functools

import pytest

from godwit.compute import states
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.ha import fencing, ipmi, leases, monitor


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Leadership:
    def __init__(self, leading=True):
        self.leading = leading

    def is_leader(self):
        return self.leading

    def stop(self):
        self.leading = False


class RPC:
    def __init__(self):
        self.casts = []

    def recover_instance(self, context, host, instance_uuid, migration_uuid):
        self.casts.append((host, instance_uuid, migration_uuid))


class BMCs:
    """Fake BMCs: each fence is recorded; ``fail`` makes them raise FenceFailed."""

    def __init__(self):
        self.fenced = []
        self.fail = False

    def __call__(self, host, address, username, password):
        bmcs = self

        class BMC:
            def fence(self):
                if bmcs.fail:
                    raise ipmi.FenceFailed(host=host, step="power off", reason="no answer")
                bmcs.fenced.append((host, address, username, password))
        return BMC()


@pytest.fixture
def cloud(sqlite_db):
    """Hosts h1, h2, h3 (heartbeating, with BMCs) in one Enabled cluster; a shared-storage
    and a local-storage instance on h1."""
    CONF.set_override("monitor_interval", 5, group="ha")
    CONF.set_override("saving_throws", 2, group="ha")
    CONF.set_override("fence_intervals", 2, group="ha")
    zone = hierarchy.create(models.Zone, {"name": "z", "allocation_state": "Enabled"}).row
    pod = hierarchy.create(models.Pod, {"name": "p", "allocation_state": "Enabled"},
                           zone.uuid).row
    cluster = hierarchy.create(models.Cluster, {"name": "c", "hypervisor_type": "fake",
                                                "allocation_state": "Enabled"}, pod.uuid).row
    for index, name in enumerate(("h1", "h2", "h3")):
        db.host_register(name, dict(hypervisor_type="fake", vcpus=8, memory_mb=16384,
                                    disk_gb=100, ipmi_address=f"127.0.0.1:{7000 + index}",
                                    ipmi_username="admin", ipmi_password="pw"),
                         new_host={"cluster_id": cluster.id, "allocation_state": "Enabled"})
        db.service_register(name, "godwit-compute", "compute")
    db.flavor_create(dict(flavorid="1", name="m1.tiny", vcpus=1, memory_mb=512, root_gb=1,
                          extra_specs={}))
    shared = _instance("shared-vm", "shared")
    local = _instance("local-vm", "local")
    leases.acquire(shared.uuid, "shared", "h1")
    db.host_recount_usage("h1")
    bmcs, rpc, clock = BMCs(), RPC(), Clock()
    mon = monitor.Monitor(Leadership(), rpc,
                          fence=functools.partial(fencing.fence_and_recover, bmc_factory=bmcs),
                          clock=clock)
    yield {"monitor": mon, "bmcs": bmcs, "rpc": rpc, "clock": clock, "cluster": cluster,
           "shared": shared.uuid, "local": local.uuid}
    for name in ("monitor_interval", "saving_throws", "fence_intervals",
                 "recover_without_fence"):
        CONF.clear_override(name, group="ha")


def _instance(name, storage_kind):
    return db.instance_create(dict(
        display_name=name, project_id="p", user_id="u", flavorid="1", flavor_name="m1.tiny",
        image_ref="i", vcpus=1, memory_mb=512, root_gb=1, host="h1", node="h1",
        vm_state=states.ACTIVE, task_state=None, power_state=states.RUNNING,
        storage_kind=storage_kind))
