"""Each filter's refusal: None exactly when the filter passes, otherwise why not; and the
scheduler's NoValidHost for named hosts (force_hosts) says it."""
import random
import types

import pytest

from godwit import exception
from godwit.conf import CONF
from godwit.scheduler import filters
from godwit.scheduler.host_state import HostState
from godwit.scheduler.manager import SchedulerManager
from tests.unit.scheduler.test_candidates import FLAVORS, _state

SPEC = {"vcpus": 2, "memory_mb": 2048, "disk_gb": 20, "image_hypervisor_type": None}


def _host(name="h1", service=True, service_up=True, limit=50, placement=("Enabled",) * 3,
          zone="nova", **values):
    row = dict(name=name, hypervisor_type="xen", allocation_state="Enabled",
               maintenance_state="ready", vcpus=4, cpu_allocation_ratio=1.0, vcpus_used=0,
               memory_mb=4096, ram_allocation_ratio=1.0, memory_mb_used=0, disk_gb=100,
               disk_allocation_ratio=1.0, disk_gb_used=0, running_vms=0)
    row.update(values)
    service_row = types.SimpleNamespace(disabled=False) if service is True else service
    return HostState(types.SimpleNamespace(**row), service_row, service_up, limit, placement,
                     availability_zone=zone)


@pytest.mark.parametrize("seed", range(5))
def test_a_refusal_is_given_exactly_when_its_filter_fails(seed):
    rng = random.Random(seed)
    for _ in range(200):
        host = _state(rng, "h")
        vcpus, memory_mb, disk_gb = rng.choice(FLAVORS)
        spec = {"vcpus": vcpus, "memory_mb": memory_mb, "disk_gb": disk_gb,
                "image_hypervisor_type": rng.choice([None, "xen", "fake"]),
                "availability_zone": rng.choice([None, "nova", "az-2"])}
        for name, check in filters.ALL.items():
            reason = filters.REFUSALS[name](host, spec)
            assert (reason is None) == check(host, spec), (name, vars(host), spec)
            assert reason is None or reason.strip()


@pytest.mark.parametrize("host, spec, reason", [
    (_host(service_up=False), SPEC,
     "its compute service is down (no recent heartbeat, or never started)"),
    (_host(service=types.SimpleNamespace(disabled=True)), SPEC,
     "its compute service is disabled"),
    (_host(allocation_state="Disabled"), SPEC, "the host is Disabled"),
    (_host(placement=("Disabled", "Enabled", "Enabled")), SPEC, "its cluster is Disabled"),
    (_host(placement=("Enabled", "Disabled", "Enabled")), SPEC, "its pod is Disabled"),
    (_host(placement=("Enabled", "Enabled", "Disabled")), SPEC, "its zone is Disabled"),
    (_host(maintenance_state="fenced"), SPEC, "it is in maintenance (state fenced)"),
    (_host(vcpus_used=3), SPEC, "not enough free vCPUs: 1 free, 2 needed"),
    (_host(memory_mb=1000, ram_allocation_ratio=1.5), SPEC,
     "not enough free RAM: 1500 MiB free, 2048 MiB needed"),
    (_host(disk_gb=30, disk_allocation_ratio=0.5), SPEC,
     "not enough free disk: 15 GiB free, 20 GiB needed"),
    (_host(running_vms=3, limit=3), SPEC,
     "it has reached its guest limit (3 guests, max_guests_limit 3 for its hypervisor)"),
    (_host(zone="az-2"), dict(SPEC, availability_zone="nova"),
     "it is in availability zone az-2, not in the requested availability zone nova"),
    (_host(), dict(SPEC, image_hypervisor_type="kvm"),
     "the image is for kvm hosts and this host runs xen"),
])
def test_each_refusal_says_why(host, spec, reason):
    assert filters.refusal(list(filters.REFUSALS.values()), host, spec) == reason


def test_a_host_that_passes_has_no_refusal():
    assert filters.refusal(list(filters.REFUSALS.values()), _host(), SPEC) is None


@pytest.fixture
def scheduler():
    """Every filter enabled, over hosts loaded by the test (never read from a database);
    the best host is always the one chosen."""
    CONF.set_override("enabled_filters", list(filters.ALL), group="scheduler")
    CONF.set_override("cache_refresh_interval", 3600, group="scheduler")
    CONF.set_override("host_subset_size", 1, group="scheduler")
    yield SchedulerManager()
    for name in ("enabled_filters", "cache_refresh_interval", "host_subset_size"):
        CONF.clear_override(name, group="scheduler")


def _select(scheduler, hosts, **spec):
    with scheduler.cache.lock:
        scheduler.cache.load(hosts)
    try:
        return scheduler.select_destinations(None, dict(SPEC, **spec), ["x"])
    except exception.NoValidHost as err:
        return err.message


def test_named_hosts_each_say_why_they_cannot_take_it(scheduler):
    hosts = [_host("full", vcpus_used=4), _host("off", allocation_state="Disabled"),
             _host("free"), _host("current")]
    assert _select(scheduler, hosts, force_hosts=["full", "off", "gone", "current"],
                   ignore_hosts=["current"]) == (
        "No valid host was found. "
        "Host full cannot take the instance: not enough free vCPUs: 0 free, 2 needed. "
        "Host off cannot take the instance: the host is Disabled. "
        "Host gone is unknown. "
        "Host current is excluded: the instance is already there.")


def test_a_named_host_is_the_only_candidate_and_has_no_alternates(scheduler):
    hosts = [_host("big", memory_mb=65536), _host("small")]
    assert _select(scheduler, hosts, force_hosts=["small"]) == [["small"]]
    assert _select(scheduler, hosts) == [["big", "small"]]


def test_without_named_hosts_the_reason_stays_general(scheduler):
    assert _select(scheduler, [_host(vcpus_used=4)]) == \
        "No valid host was found. There are not enough hosts available."
