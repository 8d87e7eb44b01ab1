"""The scheduler skips a host unless it and its cluster, pod and zone are all Enabled."""
import pytest

from godwit import exception
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.scheduler import host_state

SPEC = {"vcpus": 1, "memory_mb": 1024, "disk_gb": 10, "image_hypervisor_type": None}
ENABLED = {"allocation_state": "Enabled"}


def _tree(name):
    """An Enabled zone > pod > cluster named after ``name``; {level: uuid}."""
    zone = hierarchy.create(models.Zone, dict(ENABLED, name=f"{name}-zone")).row
    pod = hierarchy.create(models.Pod, dict(ENABLED, name=f"{name}-pod"), zone.uuid).row
    cluster = hierarchy.create(models.Cluster, dict(ENABLED, name=f"{name}-cluster",
                                                    hypervisor_type="fake"), pod.uuid).row
    return {models.Zone: zone.uuid, models.Pod: pod.uuid, models.Cluster: cluster.uuid,
            "cluster_id": cluster.id}


def _add_host(name, cluster_id=None, state="Enabled"):
    db.host_register(name, dict(hypervisor_type="fake", hypervisor_version="1", vcpus=8,
                                memory_mb=8192, disk_gb=100, allocation_state=state,
                                cluster_id=cluster_id))
    db.service_register(name, "godwit-compute", "compute")


def _chosen(scheduler):
    try:
        return scheduler.select_destinations(None, SPEC, ["x"])[0][0]
    except exception.NoValidHost:
        return None


def test_a_host_in_an_enabled_hierarchy_is_chosen(scheduler):
    _add_host("h1", _tree("a")["cluster_id"])
    assert _chosen(scheduler) == "h1"


@pytest.mark.parametrize("level", [models.Zone, models.Pod, models.Cluster])
def test_a_disabled_level_above_the_host_hides_it(scheduler, level):
    tree = _tree("a")
    _add_host("h1", tree["cluster_id"])
    hierarchy.update(level, tree[level], {"allocation_state": "Disabled"})
    assert _chosen(scheduler) is None
    hierarchy.update(level, tree[level], {"allocation_state": "Enabled"})
    assert _chosen(scheduler) == "h1"


def test_a_disabled_host_in_an_enabled_hierarchy_is_skipped(scheduler):
    _add_host("h1", _tree("a")["cluster_id"], state="Disabled")
    assert _chosen(scheduler) is None


def test_a_host_in_no_cluster_answers_for_itself(scheduler):
    _add_host("loose")
    assert _chosen(scheduler) == "loose"
    db.host_register("loose", {"allocation_state": "Disabled"})
    assert _chosen(scheduler) is None


def test_only_hosts_of_enabled_levels_are_candidates(scheduler):
    on, off = _tree("on"), _tree("off")
    _add_host("good", on["cluster_id"])
    _add_host("bad", off["cluster_id"])
    hierarchy.update(models.Pod, off[models.Pod], {"allocation_state": "Disabled"})
    for _ in range(5):
        assert scheduler.select_destinations(None, SPEC, ["x"]) == [["good"]]


def test_host_states_carry_every_level(sqlite_db):
    tree = _tree("a")
    _add_host("h1", tree["cluster_id"])
    _add_host("loose")
    hierarchy.update(models.Zone, tree[models.Zone], {"allocation_state": "Disabled"})
    states = {state.name: state for state in host_state._read_states()}
    assert states["h1"].placement_states == ("Enabled", "Enabled", "Disabled")
    assert states["loose"].placement_states == ()


def _chosen_in(scheduler, zone):
    try:
        return scheduler.select_destinations(None, dict(SPEC, availability_zone=zone),
                                             ["x"])[0][0]
    except exception.NoValidHost:
        return None


def test_a_requested_availability_zone_holds_only_its_hosts(scheduler):
    _add_host("in-a", _tree("a")["cluster_id"])
    _add_host("in-b", _tree("b")["cluster_id"])
    _add_host("loose")
    assert [_chosen_in(scheduler, zone) for zone in ("a-zone", "b-zone", "nova", "none")] == \
        ["in-a", "in-b", "loose", None]
