"""Target selection for automatic moves: each filter's reason, node_limit, each node
selector's ranking, and ``choose_many`` consuming what it hands out."""
import datetime

import pytest

from godwit.compute import targets
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import capabilities, hierarchy, models
from godwit.db.session import writer

# name: (cluster, free memory the hypervisor reports, load average)
HOSTS = {"home": ("c1", 4000, 0.5), "a": ("c1", 3000, 2.0), "b": ("c1", 5000, 1.0),
         "c": ("c2", 1000, 0.1)}


@pytest.fixture
def cloud(sqlite_db):
    """Hosts home, a, b (cluster c1) and c (cluster c2), 8 vCPUs and 8 GiB each, all up
    and enabled; the m1 flavor (1 vCPU, 1 GiB, 10 GB)."""
    zone = hierarchy.create(models.Zone, {"name": "z", "allocation_state": "Enabled"}).row
    pod = hierarchy.create(models.Pod, {"name": "p", "allocation_state": "Enabled"},
                           zone.uuid).row
    clusters = {name: hierarchy.create(models.Cluster, {
        "name": name, "hypervisor_type": "xen", "allocation_state": "Enabled"}, pod.uuid).row
        for name in ("c1", "c2")}
    for name, (cluster, free, load) in HOSTS.items():
        db.host_register(name, dict(
            hypervisor_type="xen", vcpus=8, memory_mb=8192, disk_gb=100,
            cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
            memory_free_mb=free, load_average=load),
            new_host={"cluster_id": clusters[cluster].id, "allocation_state": "Enabled"})
        db.service_register(name, "godwit-compute", "compute")
    db.flavor_create(dict(flavorid="1", name="m1", vcpus=1, memory_mb=1024, root_gb=10,
                          extra_specs={}))


def vm(host="home", name="vm", **values):
    return db.instance_create(dict(dict(
        display_name=name, project_id="p", user_id="u", flavorid="1", flavor_name="m1",
        image_ref="i", vcpus=1, memory_mb=1024, root_gb=10, host=host, node=host,
        vm_state="active", power_state=1), **values))


def use(host, instances):
    """``host`` runs ``instances`` more VMs of m1 (its usage counters follow)."""
    for index in range(instances):
        vm(host=host, name=f"{host}-{index}")
    db.host_recount_usage(host)


def set_host(name, **values):
    with writer() as session:
        session.query(models.Host).filter_by(name=name).update(values)


def reason(instance, host, **kwargs):
    """Why ``host`` was refused, from the NoTarget of a choice with only it left."""
    others = [name for name in HOSTS if name not in (host, instance.host)]
    with pytest.raises(targets.NoTarget) as err:
        targets.choose(instance, exclude=others, **kwargs)
    return str(err.value)


def test_the_default_selector_picks_the_most_free_memory_reported(cloud):
    assert CONF.ha.default_node_selector == "mem"
    assert targets.choose(vm()) == "b"


@pytest.mark.parametrize("selector, setup, expected", [
    ("mem", {}, "b"),
    ("load", {}, "c"),
    # memprov: a and c have room only for what is not provisioned; b and c run more.
    ("memprov", {"b": 3, "c": 2, "a": 1}, "a"),
    ("vcpus", {"a": 2, "b": 1, "c": 3}, "b"),
    ("vms", {"a": 1, "b": 2, "c": 0}, "c"),
])
def test_each_selector_ranks_as_documented(cloud, selector, setup, expected):
    for host, count in setup.items():
        use(host, count)
    assert targets.choose(vm(node_selector=selector)) == expected


def test_none_means_the_configured_default(cloud):
    CONF.set_override("default_node_selector", "load", group="ha")
    try:
        assert targets.choose(vm(node_selector="none")) == "c"
    finally:
        CONF.clear_override("default_node_selector", group="ha")


def test_node_limit_keeps_the_vm_on_its_hosts(cloud):
    instance = vm(node_limit=["a", "c"])
    assert targets.choose(instance) == "a"
    assert "b: it is not in the instance's node_limit" in reason(instance, "b")


def test_a_live_move_stays_in_the_cluster(cloud):
    instance = vm(node_selector="load")
    assert targets.choose(instance, live=True) == "b"
    assert "not in the cluster of the instance's host" in reason(instance, "c", live=True)


@pytest.mark.parametrize("change, words", [
    (lambda: set_host("a", maintenance_state="flushing"), "in maintenance (state flushing)"),
    (lambda: set_host("a", allocation_state="Disabled"), "the host is Disabled"),
    (lambda: set_host("a", vcpus_used=8), "vCPU"),
    (lambda: set_host("a", memory_mb_used=7500), "RAM"),
])
def test_every_filter_says_why(cloud, change, words):
    change()
    assert words in reason(vm(), "a")


def test_a_host_whose_worker_is_down_or_disabled_is_refused(cloud):
    with writer() as session:
        session.query(models.Service).filter_by(host="a").update(
            {"last_seen_up": datetime.datetime(2000, 1, 1)})
        session.query(models.Service).filter_by(host="b").update({"disabled": True})
    instance = vm()
    assert "compute service is down" in reason(instance, "a")
    assert "compute service is disabled" in reason(instance, "b")


def test_the_guest_limit_and_the_disk_when_it_is_copied(cloud):
    capabilities.capability_create({"hypervisor_type": "xen", "hypervisor_version": "8.2",
                                    "max_guests_limit": 1})
    use("b", 1)
    instance = vm()
    assert "guest" in reason(instance, "b")
    set_host("a", disk_gb_used=95)
    assert targets.choose(instance, exclude=["b", "c"]) == "a"
    assert "disk" in reason(instance, "a", needs_disk=True)


def test_the_current_host_is_never_a_target(cloud):
    with pytest.raises(targets.NoTarget) as err:
        targets.choose(vm(node_limit=["home"]))
    assert "home:" not in str(err.value)
    assert "a: it is not in the instance's node_limit" in str(err.value)


def test_choose_many_consumes_each_choice(cloud):
    # a has room for exactly one more m1; b and c take none.
    set_host("a", memory_mb_used=8192 - 1024)
    set_host("b", allocation_state="Disabled")
    set_host("c", allocation_state="Disabled")
    first, second = vm(name="one"), vm(name="two")
    plan = targets.choose_many([targets.Move(first), targets.Move(second)])
    assert (plan[0].move.instance, plan[0].target) == (first, "a")
    assert plan[1].target is None and "RAM" in str(plan[1].refused)
    # choose agrees with the first choice of choose_many.
    assert targets.choose(first) == "a"


def test_choose_many_spreads_by_the_selector(cloud):
    instances = [vm(name=f"v{index}", node_selector="vms") for index in range(3)]
    moves = [targets.Move(instance) for instance in instances]
    assert [choice.target for choice in targets.choose_many(moves)] == ["a", "b", "c"]


def test_choose_many_counts_live_and_cold_moves_against_the_same_hosts(cloud):
    # b has room for one more m1, and the most free memory: the live move takes it, so
    # the cold move after it goes to the next best host, a.
    set_host("b", memory_mb_used=8192 - 1024)
    live, cold = vm(name="live"), vm(name="cold")
    plan = targets.choose_many([targets.Move(live, live=True),
                                targets.Move(cold, needs_disk=True)])
    assert [(choice.move.instance, choice.target) for choice in plan] == [(live, "b"),
                                                                          (cold, "a")]


def test_a_live_move_that_may_fall_back_goes_cold_when_its_cluster_is_full(cloud):
    # a and b, the rest of the cluster, are full; c, in the other cluster, has room.
    for host in ("a", "b"):
        set_host(host, memory_mb_used=8192)
    first, second = vm(name="first"), vm(name="second")

    [fell_back, live_only] = targets.choose_many([
        targets.Move(first, live=True, or_cold=True), targets.Move(second, live=True)])

    assert (fell_back.target, fell_back.move.live, fell_back.move.needs_disk) == \
        ("c", False, True)
    assert "a: " in str(fell_back.live_refused) and "RAM" in str(fell_back.live_refused)
    assert "c: it is not in the cluster" in str(fell_back.live_refused)
    assert (live_only.target, live_only.live_refused) == (None, None)
    assert "c: it is not in the cluster" in str(live_only.refused)


def test_a_fallback_with_no_host_at_all_says_why_for_every_host(cloud):
    for host in ("a", "b", "c"):
        set_host(host, memory_mb_used=8192)
    [choice] = targets.choose_many([targets.Move(vm(), live=True, or_cold=True)])
    assert (choice.target, choice.move.live) == (None, False)
    assert all(f"{host}: " in str(choice.refused) for host in ("a", "b", "c"))
    assert "RAM" in str(choice.refused) and choice.live_refused is not None
