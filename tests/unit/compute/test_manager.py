"""The compute manager's operations against a real database and the fake driver."""
import datetime
import os

import pytest

from godwit import context as godwit_context
from godwit import seed
from godwit.compute import build, reconcile, states
from godwit.compute.manager import ComputeManager
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer

IMAGE = seed.DEFAULT_IMAGES[0][0]


class RecordingRPC:
    def __init__(self):
        self.casts = []

    def build_and_run_instance(self, context, host, instance_uuid, alternates):
        self.casts.append((host, instance_uuid, alternates))


@pytest.fixture
def manager(sqlite_db):
    seed.ensure_defaults()
    CONF.set_override("fake_capacity", ["hv1:2/2048/20"], group="compute")
    CONF.set_override("ram_allocation_ratio", 1.0, group="compute")
    mgr = ComputeManager("hv1", "fake")
    mgr.compute_rpcapi = RecordingRPC()
    mgr.init_host()
    yield mgr
    CONF.clear_override("fake_capacity", group="compute")
    CONF.clear_override("ram_allocation_ratio", group="compute")


def _instance(**values):
    flavor = db.flavor_get("1")
    defaults = dict(display_name="vm", project_id="p", user_id="u", flavorid="1",
                    flavor_name=flavor.name, image_ref=IMAGE, vcpus=1, memory_mb=512,
                    root_gb=1, vm_state=states.BUILDING, task_state=states.SCHEDULING)
    defaults.update(values)
    return db.instance_create(defaults)


def _ctx():
    return godwit_context.get_admin_context()


def test_build_claims_and_spawns(manager):
    instance = _instance()
    manager.build_and_run_instance(_ctx(), instance.uuid, [])
    built = db.instance_get(instance.uuid)
    assert (built.vm_state, built.task_state, built.host) == (states.ACTIVE, None, "hv1")
    assert manager.driver.get_power_state(built) == states.RUNNING
    assert db.host_get("hv1").memory_mb_used == 512


def test_full_host_hands_the_build_to_the_next_alternate(manager):
    first, second, third = _instance(), _instance(), _instance(memory_mb=1536)
    manager.build_and_run_instance(_ctx(), first.uuid, [])
    manager.build_and_run_instance(_ctx(), second.uuid, [])
    manager.build_and_run_instance(_ctx(), third.uuid, ["hv2", "hv3"])
    assert manager.compute_rpcapi.casts == [("hv2", third.uuid, ["hv3"])]
    left = db.instance_get(third.uuid)
    assert (left.host, left.task_state) == (None, states.SCHEDULING)
    assert db.host_get("hv1").memory_mb_used == 1024


def test_full_host_without_alternates_is_an_error_with_a_fault(manager):
    manager.build_and_run_instance(_ctx(), _instance(memory_mb=2048).uuid, [])
    big = _instance(memory_mb=2048)
    manager.build_and_run_instance(_ctx(), big.uuid, [])
    failed = db.instance_get(big.uuid, details=True)
    assert failed.vm_state == states.ERROR and failed.host is None
    assert "No valid host" in failed.faults[0].message


def test_delete_frees_the_host(manager):
    instance = _instance()
    manager.build_and_run_instance(_ctx(), instance.uuid, [])
    db.instance_update(instance.uuid, {"task_state": states.DELETING})
    manager.terminate_instance(_ctx(), instance.uuid)
    assert db.instance_list(filters={"host": "hv1"}) == []
    assert db.host_get("hv1").memory_mb_used == 0
    assert manager.driver.list_instances() == []


@pytest.mark.parametrize("task_state, driver_has_vm, vm_state, host_used", [
    (states.SPAWNING, False, states.ERROR, 0),
    (states.SPAWNING, True, states.ACTIVE, 512),
    (states.POWERING_OFF, True, states.ACTIVE, 512),
    (states.REBOOTING_HARD, True, states.ACTIVE, 512),
])
def test_restart_rolls_interrupted_tasks_forward_or_back(manager, task_state, driver_has_vm,
                                                         vm_state, host_used):
    instance = _instance()
    manager.build_and_run_instance(_ctx(), instance.uuid, [])
    db.instance_update(instance.uuid, {"task_state": task_state})
    if not driver_has_vm:
        manager.driver.destroy(instance)
    reconcile.recover_all(manager)
    recovered = db.instance_get(instance.uuid)
    assert (recovered.vm_state, recovered.task_state) == (vm_state, None)
    assert db.host_get("hv1").memory_mb_used == host_used


def test_restart_finishes_an_interrupted_delete(manager):
    instance = _instance()
    manager.build_and_run_instance(_ctx(), instance.uuid, [])
    db.instance_update(instance.uuid, {"task_state": states.DELETING})
    reconcile.recover_all(manager)
    assert db.instance_list(filters={"host": "hv1"}) == []
    assert manager.driver.list_instances() == []


def test_reconcile_destroys_orphans_and_recounts_usage(manager):
    kept = _instance()
    manager.build_and_run_instance(_ctx(), kept.uuid, [])
    os.makedirs(os.path.join(manager.driver.path, "0000-orphan"))
    with writer() as session:
        db.host_release(session, "hv1", 1, 512, 1)
    reconcile.reconcile(manager)
    assert manager.driver.list_instances() == [kept.uuid]
    assert db.host_get("hv1").memory_mb_used == 512


def test_lost_builds_go_to_error(sqlite_db):
    seed.ensure_defaults()
    lost = _instance()
    fresh = _instance()
    old = models.utcnow() - datetime.timedelta(seconds=600)
    db.instance_update(lost.uuid, {"created_at": old})
    assert build.fail_lost_builds(300) == 1
    assert db.instance_get(lost.uuid).vm_state == states.ERROR
    assert db.instance_get(fresh.uuid).vm_state == states.BUILDING


def test_a_build_of_a_server_deleted_meanwhile_claims_nothing(manager):
    instance = _instance()
    with writer() as session:
        db.instance_mark_deleted(instance.uuid, session)
    manager.build_and_run_instance(_ctx(), instance.uuid, [])
    assert db.host_get("hv1").memory_mb_used == 0
    assert manager.driver.list_instances() == []


def test_a_build_whose_instance_was_taken_by_another_host_claims_nothing(manager):
    instance = _instance()
    db.instance_update(instance.uuid, {"host": "hv9", "task_state": states.SPAWNING})
    manager.build_and_run_instance(_ctx(), instance.uuid, [])
    assert db.host_get("hv1").memory_mb_used == 0
