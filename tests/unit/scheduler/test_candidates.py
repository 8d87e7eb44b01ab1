"""The ranked selection decides as filtering every host and sorting the survivors would."""
import copy
import random
import types

import pytest

from godwit import exception
from godwit.conf import CONF
from godwit.scheduler import filters, weighers
from godwit.scheduler.candidates import Ranking
from godwit.scheduler.host_state import HostState
from godwit.scheduler.manager import SchedulerManager, why_none

FLAVORS = [(1, 512, 1), (2, 2048, 20), (4, 4096, 40), (8, 8192, 80)]


@pytest.fixture
def scheduler():
    """A manager with every filter, whose cache is never read from a database."""
    CONF.set_override("enabled_filters", list(filters.ALL), group="scheduler")
    CONF.set_override("cache_refresh_interval", 3600, group="scheduler")
    yield SchedulerManager()
    for name in ("enabled_filters", "cache_refresh_interval", "host_subset_size",
                 "max_attempts"):
        CONF.clear_override(name, group="scheduler")


def _state(rng, name):
    """A host with few distinct weights (so ties happen), failing a filter now and then."""
    row = types.SimpleNamespace(
        name=name, hypervisor_type=rng.choice(["fake", "fake", "xen"]),
        allocation_state=rng.choices(["Enabled", "Disabled"], [9, 1])[0],
        maintenance_state=rng.choices(["ready", "maintenance"], [9, 1])[0],
        vcpus=rng.choice([2, 8, 16]), cpu_allocation_ratio=1.0, vcpus_used=rng.randint(0, 4),
        memory_mb=rng.choice([4096, 8192, 16384]), ram_allocation_ratio=1.0,
        memory_mb_used=rng.choice([0, 2048, 4096]), disk_gb=rng.choice([20, 100, 500]),
        disk_allocation_ratio=1.0, disk_gb_used=0, running_vms=rng.randint(0, 3))
    service = types.SimpleNamespace(disabled=rng.random() < 0.1)
    placement = rng.choice([(), ("Enabled",) * 3, ("Enabled",) * 3,
                            ("Enabled", "Disabled", "Enabled")])
    return HostState(row, service, rng.random() < 0.9, rng.choice([3, 5, 500]), placement,
                     availability_zone=rng.choices(["nova", "az-2"], [4, 1])[0])


def _spec(rng, names):
    vcpus, memory_mb, disk_gb = rng.choice(FLAVORS)
    spec = {"vcpus": vcpus, "memory_mb": memory_mb, "disk_gb": disk_gb,
            "image_hypervisor_type": rng.choice([None, None, "xen", "fake"]),
            "availability_zone": rng.choice([None, None, "nova", "az-2"])}
    if rng.random() < 0.2:
        spec["ignore_hosts"] = rng.sample(names, 3)
    if rng.random() < 0.1:
        spec["force_hosts"] = rng.sample(names, 2) + ["unknown"]
    return spec


def _reference(states, spec, count):
    """The simple definition: filter every host, sort the survivors, pick, take."""
    enabled = filters.enabled(CONF.scheduler.enabled_filters)
    refusals = filters.enabled_refusals(CONF.scheduler.enabled_filters)
    selections = []
    for _ in range(count):
        ignored, forced = set(spec.get("ignore_hosts") or ()), spec.get("force_hosts")
        hosts = [h for h in states
                 if h.name not in ignored and (not forced or h.name in forced)]
        candidates = weighers.order([h for h in hosts if all(f(h, spec) for f in enabled)])
        if not candidates:
            raise exception.NoValidHost(reason=why_none(hosts, forced, ignored, spec,
                                                        refusals))
        chosen = random.choice(candidates[:CONF.scheduler.host_subset_size])
        chosen.consume(spec)
        alternates = [h.name for h in candidates if h is not chosen]
        selections.append([chosen.name] + alternates[:CONF.scheduler.max_attempts - 1])
    return selections


def _outcome(select, seed):
    random.seed(seed)
    try:
        return select()
    except exception.NoValidHost as err:
        return err.message


@pytest.mark.parametrize("seed", range(20))
def test_decides_as_filter_then_sort(scheduler, seed):
    rng = random.Random(seed)
    CONF.set_override("host_subset_size", 1 if seed % 2 else rng.randint(1, 4),
                      group="scheduler")
    CONF.set_override("max_attempts", rng.randint(1, 4), group="scheduler")
    states = [_state(rng, f"h{i}") for i in range(rng.randint(1, 60))]
    expected_states = copy.deepcopy(states)
    with scheduler.cache.lock:
        scheduler.cache.load(states)
    names = [state.name for state in states] * 3
    for decision in range(150):
        spec, count = _spec(rng, names), rng.randint(1, 3)
        expected = _outcome(lambda: _reference(expected_states, spec, count), decision)
        got = _outcome(lambda: scheduler.select_destinations(None, spec, ["x"] * count),
                       decision)
        assert got == expected, (decision, spec)
    assert [vars(state) for state in states] == [vars(state) for state in expected_states]


def test_a_host_too_small_for_one_spec_still_takes_a_smaller_one(scheduler):
    rng = random.Random(1)
    big, small = _state(rng, "big"), _state(rng, "small")
    for state in (big, small):
        vars(state).update(service_up=True, service_disabled=False, allocation_state="Enabled",
                           placement_states=(), maintenance_state="ready", running_vms=0,
                           hypervisor_type="fake", free_vcpus=8, free_disk_gb=100)
    big.free_memory_mb, small.free_memory_mb = 6144, 1024
    CONF.set_override("host_subset_size", 1, group="scheduler")
    with scheduler.cache.lock:
        scheduler.cache.load([big, small])
    spec = {"vcpus": 1, "memory_mb": 4096, "disk_gb": 1}
    assert scheduler.select_destinations(None, spec, ["x"]) == [["big"]]
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(None, spec, ["x"])
    assert scheduler.select_destinations(None, dict(spec, memory_mb=512), ["x"]) == \
        [["big", "small"]]


def test_a_new_read_forgets_the_failures(scheduler):
    rng = random.Random(2)
    state = _state(rng, "h1")
    vars(state).update(service_up=False, service_disabled=False, allocation_state="Enabled",
                       placement_states=(), maintenance_state="ready", running_vms=0,
                       free_vcpus=8, free_memory_mb=8192, free_disk_gb=100)
    spec = {"vcpus": 1, "memory_mb": 512, "disk_gb": 1}
    with scheduler.cache.lock:
        scheduler.cache.load([state])
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(None, spec, ["x"])
    state.service_up = True
    with scheduler.cache.lock:
        scheduler.cache.load([state])
    assert scheduler.select_destinations(None, spec, ["x"]) == [["h1"]]


def test_consume_keeps_the_order_by_free_memory():
    rng = random.Random(3)
    states = [_state(rng, f"h{i}") for i in range(30)]
    ranking = Ranking(states)
    for _ in range(100):
        ranking.consume(rng.choice(states), {"vcpus": 0, "memory_mb": rng.choice([0, 512]),
                                              "disk_gb": 0})
    assert ranking.best({}, [], len(states)) == weighers.order(states)
