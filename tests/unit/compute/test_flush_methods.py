"""How a flush or unflush moves an instance: live only inside its cluster."""
from godwit.compute import flush
from godwit.db import api as db
from godwit.db import hierarchy, models
from tests.unit.compute.test_live_migration import shared_instance_on_src


def _far_host():
    """Host far, in a cluster of its own."""
    pod = hierarchy.placed_list(models.Pod, {})[0].row
    cluster = hierarchy.create(models.Cluster, {"name": "far", "hypervisor_type": "xen",
                                                "allocation_state": "Enabled"}, pod.uuid).row
    db.host_register("far", dict(hypervisor_type="xen", vcpus=8, memory_mb=16384,
                                 disk_gb=100),
                     new_host={"cluster_id": cluster.id, "allocation_state": "Enabled"})


def test_a_shared_storage_instance_goes_live_inside_its_cluster_and_cold_elsewhere(
        sqlite_db):
    instance = shared_instance_on_src()
    _far_host()
    assert [flush.method_of(instance, target) for target in (None, "dst", "far")] == \
        ["live", "live", "shutdown"]
