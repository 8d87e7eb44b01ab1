"""The scheduler skips the hosts of an Unmanaged cluster, and says so for a named host."""
import pytest

from godwit import exception
from godwit.db import hierarchy, models
from godwit.scheduler import host_state
from tests.unit.scheduler.test_placement_levels import SPEC, _add_host, _chosen, _tree


def _set_managed(tree, state):
    hierarchy.update(models.Cluster, tree[models.Cluster], {"managed_state": state})


def test_an_unmanaged_clusters_hosts_are_skipped_until_it_is_managed_again(scheduler):
    tree = _tree("a")
    _add_host("h1", tree["cluster_id"])
    _set_managed(tree, "Unmanaged")
    assert _chosen(scheduler) is None
    _set_managed(tree, "Managed")
    assert _chosen(scheduler) == "h1"


def test_only_hosts_of_managed_clusters_are_candidates(scheduler):
    managed, unmanaged = _tree("on"), _tree("off")
    _add_host("good", managed["cluster_id"])
    _add_host("bad", unmanaged["cluster_id"])
    _set_managed(unmanaged, "Unmanaged")
    for _ in range(5):
        assert scheduler.select_destinations(None, SPEC, ["x"]) == [["good"]]


def test_a_host_named_in_an_unmanaged_cluster_is_refused_with_the_reason(scheduler):
    tree = _tree("a")
    _add_host("h1", tree["cluster_id"])
    _set_managed(tree, "Unmanaged")
    with pytest.raises(exception.NoValidHost) as raised:
        scheduler.select_destinations(None, dict(SPEC, force_hosts=["h1"]), ["x"])
    assert "its cluster is unmanaged" in raised.value.message


def test_host_states_carry_the_managed_state(sqlite_db):
    tree = _tree("a")
    _add_host("h1", tree["cluster_id"])
    _add_host("loose")
    _set_managed(tree, "Unmanaged")
    states = {state.name: state for state in host_state._read_states()}
    assert (states["h1"].cluster_managed, states["loose"].cluster_managed) == (False, True)
