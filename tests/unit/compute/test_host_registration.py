"""What a compute worker's first registration makes of its host: [compute] cluster and
[compute] enable_new_hosts; a host known before keeps its place and state."""
import pytest

from godwit import exception, seed
from godwit.compute import resource_tracker
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy, models


class Driver:
    host = "hv-1"
    hypervisor_type = "fake"

    def get_host_info(self):
        return {"hypervisor_version": "1.0", "vcpus": 4, "memory_mb": 4096, "disk_gb": 40}

    def get_host_load(self):
        return {"memory_free_mb": 3000, "load_average": 0.25}


@pytest.fixture
def compute_conf(sqlite_db):
    yield lambda **values: [CONF.set_override(name, value, group="compute")
                            for name, value in values.items()]
    for name in ("cluster", "enable_new_hosts"):
        CONF.clear_override(name, group="compute")


def _cluster(name="c1", pod_name="p1"):
    zone = hierarchy.placed_list(models.Zone)
    zone = zone[0].row if zone else hierarchy.create(models.Zone, {"name": "z"}).row
    pod = hierarchy.create(models.Pod, {"name": pod_name}, zone.uuid).row
    return hierarchy.create(models.Cluster, {"name": name, "hypervisor_type": "fake"},
                            pod.uuid).row


def test_a_new_host_starts_disabled_in_no_cluster(compute_conf):
    host = resource_tracker.register_host(Driver())
    assert (host.allocation_state, host.cluster_id, host.vcpus) == ("Disabled", None, 4)


def test_enable_new_hosts_and_a_cluster_by_name_or_uuid(compute_conf):
    cluster = _cluster()
    compute_conf(enable_new_hosts=True, cluster="c1")
    host = resource_tracker.register_host(Driver())
    assert (host.allocation_state, host.cluster_id) == ("Enabled", cluster.id)
    db.host_register("hv-1", {"cluster_id": None})
    compute_conf(cluster=cluster.uuid)
    Driver.host = "hv-2"
    try:
        assert resource_tracker.register_host(Driver()).cluster_id == cluster.id
    finally:
        Driver.host = "hv-1"


def test_a_known_host_keeps_its_cluster_and_state(compute_conf):
    cluster = _cluster()
    db.host_register("hv-1", {"hypervisor_type": "fake", "allocation_state": "Disabled"},
                     new_host={"cluster_id": cluster.id})
    compute_conf(enable_new_hosts=True, cluster="")
    host = resource_tracker.register_host(Driver())
    assert (host.allocation_state, host.cluster_id, host.memory_mb) == \
        ("Disabled", cluster.id, 4096)


def test_an_unknown_or_ambiguous_cluster_stops_the_worker(compute_conf):
    compute_conf(cluster="nowhere")
    with pytest.raises(exception.PlacementNotFound, match="Cluster nowhere"):
        resource_tracker.register_host(Driver())
    _cluster("twin", "p1")
    _cluster("twin", "p2")
    compute_conf(cluster="twin")
    with pytest.raises(exception.Conflict, match="name one by its uuid"):
        resource_tracker.register_host(Driver())
    assert db.host_list() == []


def test_the_all_in_one_hierarchy_is_made_once_and_left_as_found(sqlite_db):
    cluster = seed.ensure_default_hierarchy("fake")
    placed = hierarchy.placed_get(models.Cluster, cluster)
    assert (placed.row.name, placed.row.hypervisor_type, placed.row.allocation_state) == \
        ("cluster-1", "fake", "Enabled")
    assert hierarchy.placed_get(models.Zone, "nova", by_name=True).row.allocation_state == \
        "Enabled"
    zone = placed.parents["zone_id"]
    hierarchy.update(models.Zone, zone, {"allocation_state": "Disabled"})
    assert seed.ensure_default_hierarchy("fake") == cluster
    assert hierarchy.placed_get(models.Zone, zone).row.allocation_state == "Disabled"
    assert [len(hierarchy.placed_list(model)) for model in
            (models.Zone, models.Pod, models.Cluster)] == [1, 1, 1]
