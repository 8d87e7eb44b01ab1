"""How a flush or unflush moves an instance: live only inside its cluster; a flush's plan
counts its live and cold moves against the same hosts."""
from godwit.compute import flush
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.db.session import writer
from tests.unit.compute.test_live_migration import shared_instance_on_src


def _far_host():
    """Host far, up, in a cluster of its own."""
    pod = hierarchy.placed_list(models.Pod, {})[0].row
    cluster = hierarchy.create(models.Cluster, {"name": "far", "hypervisor_type": "xen",
                                                "allocation_state": "Enabled"}, pod.uuid).row
    db.host_register("far", dict(hypervisor_type="xen", vcpus=8, memory_mb=16384,
                                 disk_gb=100),
                     new_host={"cluster_id": cluster.id, "allocation_state": "Enabled"})
    db.service_register("far", "godwit-compute", "compute")


def test_a_shared_storage_instance_goes_live_inside_its_cluster_and_cold_elsewhere(
        sqlite_db):
    instance = shared_instance_on_src()
    _far_host()
    assert [flush.method_of(instance, target) for target in (None, "dst", "far")] == \
        ["live", "live", "shutdown"]


def _set_host(name, **values):
    with writer() as session:
        session.query(models.Host).filter_by(name=name).update(values)


def test_the_plan_counts_the_room_a_live_move_takes_before_the_cold_moves(sqlite_db):
    live = shared_instance_on_src()
    local = db.instance_create(dict(
        display_name="local", project_id="p", user_id="u", flavorid="1",
        flavor_name="m1.tiny", image_ref="i", vcpus=1, memory_mb=512, root_gb=1, host="src",
        node="src", vm_state="active", power_state=1, storage_kind="local"))
    _far_host()
    # dst, the only host a live move may use, has room for one m1.tiny; it reports the
    # most free memory, so it is also the first choice of the cold move.
    _set_host("dst", memory_mb=1024, ram_allocation_ratio=1.0, memory_mb_used=512,
              memory_free_mb=8000)
    _set_host("far", memory_free_mb=4000)

    steps = {step.instance.uuid: (step.target, step.method, step.reason)
             for step in flush.plan("src")}

    assert steps == {live.uuid: ("dst", "live", None), local.uuid: ("far", "shutdown", None)}


def _shared_instance(**values):
    """One more running shared-storage m1.tiny on src."""
    return db.instance_create(dict(dict(
        display_name="vm", project_id="p", user_id="u", flavorid="1", flavor_name="m1.tiny",
        image_ref="i", vcpus=1, memory_mb=512, root_gb=1, host="src", node="src",
        vm_state="active", power_state=1, storage_kind="shared"), **values))


def test_auto_goes_cold_to_another_cluster_when_its_own_is_full_and_live_does_not(sqlite_db):
    assert CONF.ha.default_migration_method == "auto"
    auto = shared_instance_on_src()
    live = _shared_instance(migration_method="live")
    _far_host()
    _set_host("dst", memory_mb=1024, ram_allocation_ratio=1.0, memory_mb_used=1024)

    steps = {step.instance.uuid: step for step in flush.plan("src")}

    assert (steps[auto.uuid].target, steps[auto.uuid].method) == ("far", "shutdown")
    assert steps[auto.uuid].reason.startswith("auto: no host of its cluster can take it live")
    assert "dst: " in steps[auto.uuid].reason and "RAM" in steps[auto.uuid].reason
    assert (steps[live.uuid].target, steps[live.uuid].method) == (None, "live")
    assert "far: it is not in the cluster" in steps[live.uuid].reason


def test_auto_with_no_host_live_or_cold_stays_and_says_so(sqlite_db):
    auto = shared_instance_on_src()
    _far_host()
    _set_host("dst", memory_mb=1024, ram_allocation_ratio=1.0, memory_mb_used=1024)
    _set_host("far", allocation_state="Disabled")

    [step] = flush.plan("src")

    assert (step.instance.uuid, step.target) == (auto.uuid, None)
    assert step.reason.startswith("auto: no host can take it live or cold: ")
    assert "dst: " in step.reason and "far: the host is Disabled" in step.reason
