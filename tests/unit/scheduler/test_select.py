"""Host selection: filters, spreading, alternates, and NoValidHost."""
import pytest

from godwit import exception
from godwit.conf import CONF
from godwit.db import api as db

SPEC = {"vcpus": 1, "memory_mb": 1024, "disk_gb": 10, "image_hypervisor_type": None}


def _add_host(name, memory_mb=8192, up=True, disabled=False):
    db.host_register(name, dict(hypervisor_type="fake", hypervisor_version="1", vcpus=8,
                                memory_mb=memory_mb, disk_gb=100, cpu_allocation_ratio=1.0,
                                ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
                                allocation_state="Enabled"))
    service = db.service_register(name, "godwit-compute", "compute")
    values = {"disabled": disabled}
    if not up:
        values["last_seen_up"] = None
    db.service_update(service.uuid, values)


def test_skips_down_disabled_and_full_hosts(scheduler):
    _add_host("up")
    _add_host("down", up=False)
    _add_host("disabled", disabled=True)
    _add_host("full", memory_mb=512)
    for _ in range(5):
        assert scheduler.select_destinations(None, SPEC, ["x"]) == [["up"]]


def test_gives_alternates_and_spreads_a_burst(scheduler):
    for name in ("a", "b", "c", "d"):
        _add_host(name)
    CONF.set_override("cache_refresh_interval", 60, group="scheduler")
    CONF.set_override("host_subset_size", 1, group="scheduler")
    selections = scheduler.select_destinations(None, SPEC, [str(i) for i in range(8)])
    CONF.clear_override("cache_refresh_interval", group="scheduler")
    CONF.clear_override("host_subset_size", group="scheduler")
    assert all(len(hosts) == 3 and len(set(hosts)) == 3 for hosts in selections)
    chosen = [hosts[0] for hosts in selections]
    assert sorted(chosen) == ["a", "a", "b", "b", "c", "c", "d", "d"]


def test_no_valid_host(scheduler):
    _add_host("small", memory_mb=512)
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(None, SPEC, ["x"])
