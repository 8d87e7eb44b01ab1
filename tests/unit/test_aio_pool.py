"""Which all-in-one hosts form the simulated pool (``godwit-aio --hosts N --pool-hosts M``)."""
import pytest

from godwit.aio import compute_host_names, pool_of
from godwit.cmd.aio import pool_size


@pytest.mark.parametrize("hosts, requested, size", [
    (4, None, 2), (10, None, 2), (3, None, 0), (1, None, 0), (2, 2, 2), (4, 0, 0), (3, 3, 3)])
def test_the_pool_is_two_hosts_by_default_when_two_stay_outside_it(hosts, requested, size):
    assert pool_size(hosts, requested) == size


def test_a_pool_larger_than_the_cloud_is_refused_saying_so():
    with pytest.raises(ValueError, match=r"--pool-hosts \(3\) cannot be more than --hosts"):
        pool_size(2, 3)


def test_the_pool_is_the_last_hosts():
    hosts = compute_host_names(4)
    assert pool_of(hosts, 2) == ["compute-3", "compute-4"]
    assert pool_of(hosts, 0) == []
    assert pool_of(hosts, 4) == hosts
