"""The capability lookup and MaxGuestsFilter: the limit per host, a burst, the cache."""
import types

import pytest

from godwit import exception
from godwit.compute import capabilities
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import capabilities as capability_db
from godwit.db.session import writer
from godwit.scheduler import filters
from godwit.scheduler.filters import guests
from godwit.scheduler.host_state import HostStateCache
from godwit.virt import fake
from godwit.virt.xenapi import driver as xenapi_driver

SPEC = {"vcpus": 1, "memory_mb": 512, "disk_gb": 1, "image_hypervisor_type": None}


def _row(row_id, hypervisor_type, hypervisor_version, max_guests_limit=10):
    return types.SimpleNamespace(id=row_id, hypervisor_type=hypervisor_type,
                                 hypervisor_version=hypervisor_version,
                                 max_guests_limit=max_guests_limit)


def _capability(hypervisor_type, hypervisor_version, max_guests_limit):
    return capability_db.capability_create(dict(
        capabilities.DEFAULT, hypervisor_type=hypervisor_type,
        hypervisor_version=hypervisor_version, max_guests_limit=max_guests_limit))


def _add_host(name, version="1", hypervisor_type="fake", guests=0):
    db.host_register(name, dict(hypervisor_type=hypervisor_type, hypervisor_version=version,
                                vcpus=64, memory_mb=65536, disk_gb=1000,
                                cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
                                disk_allocation_ratio=1.0, allocation_state="Enabled"))
    with writer() as session:
        for _ in range(guests):
            assert db.host_claim(session, name, 1, 512, 1)
    db.service_register(name, "godwit-compute", "compute")


# --- the lookup ----------------------------------------------------------------------------


def test_lookup_order_exact_then_lowest_id_of_the_type_then_default():
    table = capabilities.CapabilityTable([
        _row(1, "xen", "7.0"), _row(2, "xen", "8.2.1"), _row(3, "fake", "1")])
    assert (table.lookup("xen", "8.2.1").source, table.lookup("xen", "8.2.1").row.id) == \
        ("exact", 2)
    assert (table.lookup("xen", "9").source, table.lookup("xen", "9").row.id) == ("type", 1)
    assert table.lookup("xen", None).row.id == 1
    assert table.lookup("fake", "1").row.id == 3
    assert table.lookup("other", "1") == ("default", None)


def test_the_default_and_a_rows_limits():
    applied = capabilities.CapabilityTable([]).lookup("xen", "8")
    assert applied.limit("max_guests_limit") == 500
    assert applied.limit("security_group_enabled") is True
    row = capabilities.CapabilityTable([_row(1, "xen", "8", 7)]).lookup("xen", "8")
    assert row.limit("max_guests_limit") == 7


def test_lookup_reads_the_database(sqlite_db):
    newest = _capability("xen", "8.2.1", 20)
    oldest = _capability("xen", "7.0", 10)
    exact, by_type = capabilities.lookup("xen", "8.2.1"), capabilities.lookup("xen", "6.5")
    assert (exact.source, exact.row.uuid) == ("exact", newest.uuid)
    assert (by_type.source, by_type.row.uuid) == ("type", newest.uuid)  # lowest id wins
    assert oldest.id > newest.id
    assert capabilities.lookup("fake", "1").source == "default"


def test_the_known_types_are_what_the_drivers_register():
    assert set(capabilities.HYPERVISOR_TYPES) == {
        fake.FakeDriver.hypervisor_type, xenapi_driver.XenAPIDriver.hypervisor_type}


def test_a_concurrent_duplicate_loses_on_the_unique_constraint(sqlite_db, monkeypatch):
    _capability("xen", "8", 1)
    monkeypatch.setattr(capability_db, "_check_unique", lambda *args: None)
    with pytest.raises(exception.DuplicateEntry):
        _capability("xen", "8", 2)
    assert [row.max_guests_limit for row in capability_db.capability_list()] == [1]


# --- the filter ------------------------------------------------------------------------------


@pytest.mark.parametrize("running, limit, passes", [
    (0, 1, True), (4, 5, True), (5, 5, False), (6, 5, False), (0, 0, False)])
def test_filter_rule(running, limit, passes):
    host = types.SimpleNamespace(running_vms=running, max_guests_limit=limit)
    assert guests.max_guests_filter(host, SPEC) is passes


def test_filter_is_registered_and_on_by_default():
    assert filters.ALL["MaxGuestsFilter"] is guests.max_guests_filter
    assert "MaxGuestsFilter" in CONF.scheduler.enabled_filters


def test_skips_a_host_at_its_versions_limit(scheduler):
    _capability("fake", "1", 2)
    _capability("fake", "2", 3)
    _add_host("full", version="1", guests=2)
    _add_host("room", version="2", guests=2)
    for _ in range(3):
        assert scheduler.select_destinations(None, SPEC, ["x"])[0][0] == "room"


def test_the_first_row_of_the_type_applies_to_an_unknown_version(scheduler):
    _capability("fake", "1", 1)
    _add_host("h1", version="9", guests=1)
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(None, SPEC, ["x"])


def test_the_default_applies_without_rows(scheduler):
    _add_host("h1", guests=3)
    assert scheduler.select_destinations(None, SPEC, ["x"]) == [["h1"]]
    state = scheduler.cache.ranking().states[0]
    assert (state.running_vms, state.max_guests_limit) == (3, 500)


def test_a_limit_of_zero_takes_no_guests(scheduler):
    _capability("xen", "8", 0)
    _add_host("h1", hypervisor_type="xen", version="8")
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(None, SPEC, ["x"])


def test_a_burst_stops_at_the_limit_between_cache_refreshes(scheduler):
    _capability("fake", "1", 2)
    _add_host("a", guests=1)
    _add_host("b")
    CONF.set_override("cache_refresh_interval", 600, group="scheduler")
    try:
        chosen = [hosts[0] for hosts in scheduler.select_destinations(
            None, SPEC, ["1", "2", "3"])]
        assert sorted(chosen) == ["a", "b", "b"]
        with pytest.raises(exception.NoValidHost):
            scheduler.select_destinations(None, SPEC, ["4"])
    finally:
        CONF.clear_override("cache_refresh_interval", group="scheduler")


def test_the_cache_reads_capabilities_once_per_refresh(sqlite_db, monkeypatch):
    _capability("fake", "1", 2)
    for name in ("a", "b", "c", "d"):
        _add_host(name)
    reads = []
    real = capability_db.capability_list

    def counting(**filters):
        reads.append(filters)
        return real(**filters)

    monkeypatch.setattr(capability_db, "capability_list", counting)
    CONF.set_override("cache_refresh_interval", 600, group="scheduler")
    try:
        cache = HostStateCache()
        with cache.lock:
            states = cache.ranking().states
            cache.ranking()
    finally:
        CONF.clear_override("cache_refresh_interval", group="scheduler")
    assert reads == [{}]
    assert [state.max_guests_limit for state in states] == [2, 2, 2, 2]
