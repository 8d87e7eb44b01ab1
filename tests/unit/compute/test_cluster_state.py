"""A compute worker follows its cluster's managed state (fake driver, real database): it
leaves its hypervisor alone while the cluster is unmanaged and, managed again, takes every
VM's power state from the hypervisor."""
import pytest

from godwit import context as godwit_context
from godwit import exception, seed
from godwit.compute import states
from godwit.compute.manager import ComputeManager
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.virt.fake import FakeDriver

IMAGE = seed.DEFAULT_IMAGES[0][0]


class CountingDriver(FakeDriver):
    """The fake hypervisor, counting connects and disconnects."""

    def __init__(self, host):
        super().__init__(host)
        self.connects = self.disconnects = 0

    def init_host(self):
        self.connects += 1
        super().init_host()

    def disconnect(self):
        self.disconnects += 1


@pytest.fixture
def cluster(sqlite_db):
    """A cluster holding host hv1; its uuid."""
    seed.ensure_defaults()
    zone = hierarchy.create(models.Zone, {"name": "z"})
    pod = hierarchy.create(models.Pod, {"name": "p"}, zone.row.uuid)
    placed = hierarchy.create(models.Cluster, {"name": "pool-1", "hypervisor_type": "fake"},
                              pod.row.uuid)
    db.host_register("hv1", {"hypervisor_type": "fake", "cluster_id": placed.row.id})
    return placed.row.uuid


def _manager():
    manager = ComputeManager("hv1", "fake")
    manager.driver = CountingDriver("hv1")
    return manager


@pytest.fixture
def manager(cluster):
    manager = _manager()
    manager.init_host()
    return manager


def _set_managed(cluster, state):
    hierarchy.update(models.Cluster, cluster, {"managed_state": state})


def _ctx():
    return godwit_context.get_admin_context()


def _built(manager):
    instance = db.instance_create(dict(
        display_name="vm", project_id="p", user_id="u", flavorid="1", flavor_name="m1.tiny",
        image_ref=IMAGE, vcpus=1, memory_mb=512, root_gb=1, vm_state=states.BUILDING,
        task_state=states.SCHEDULING))
    manager.build_and_run_instance(_ctx(), instance.uuid, [])
    return db.instance_get(instance.uuid)


def _state(instance):
    current = db.instance_get(instance.uuid, details=True)
    return current.vm_state, current.task_state, current.power_state


def test_unmanaging_disconnects_and_refuses_instance_work(manager, cluster):
    instance = _built(manager)
    _set_managed(cluster, "Unmanaged")
    manager.cluster_managed_changed(_ctx(), cluster)
    assert (manager.hypervisor.connected, manager.driver.disconnects) == (False, 1)
    db.instance_update(instance.uuid, {"task_state": states.POWERING_OFF})
    manager.stop_instance(_ctx(), instance.uuid)
    assert manager.driver.get_power_state(instance) == states.RUNNING
    assert _state(instance) == (states.ACTIVE, states.POWERING_OFF, states.RUNNING)


def test_managed_again_the_worker_takes_the_power_states_from_the_hypervisor(manager, cluster):
    stopped, gone, left_in_task, same = (_built(manager) for _ in range(4))
    _set_managed(cluster, "Unmanaged")
    manager.hypervisor.follow()
    behind_its_back = FakeDriver("hv1")
    behind_its_back.power_off(stopped)
    behind_its_back.destroy(gone)
    behind_its_back.suspend(left_in_task)
    db.instance_update(left_in_task.uuid, {"task_state": states.POWERING_OFF})
    _set_managed(cluster, "Managed")
    manager.hypervisor.follow()
    assert (manager.hypervisor.connected, manager.driver.connects) == (True, 2)
    assert _state(stopped) == (states.STOPPED, None, states.SHUTDOWN)
    assert _state(left_in_task) == (states.SUSPENDED_VM, None, states.SUSPENDED)
    assert _state(same) == (states.ACTIVE, None, states.RUNNING)
    lost = db.instance_get(gone.uuid, details=True)
    assert lost.vm_state == states.ERROR
    assert "missing from its host" in lost.faults[0].message


def test_started_behind_its_back_becomes_active(manager, cluster):
    instance = _built(manager)
    db.instance_update(instance.uuid, {"task_state": states.POWERING_OFF})
    manager.stop_instance(_ctx(), instance.uuid)
    assert _state(instance) == (states.STOPPED, None, states.SHUTDOWN)
    _set_managed(cluster, "Unmanaged")
    manager.hypervisor.follow()
    FakeDriver("hv1").power_on(instance)
    _set_managed(cluster, "Managed")
    manager.hypervisor.follow()
    assert _state(instance) == (states.ACTIVE, None, states.RUNNING)


def test_a_lost_cast_is_made_up_for_by_the_periodic_check(manager, cluster):
    follow = dict((func, interval) for func, interval in manager.periodic_tasks())
    assert follow[manager.hypervisor.follow] == CONF.report_interval
    _set_managed(cluster, "Unmanaged")
    manager.hypervisor.follow()
    assert manager.hypervisor.connected is False
    manager.hypervisor.follow()
    assert manager.driver.disconnects == 1


def test_periodic_work_waits_while_unmanaged(manager, cluster, monkeypatch):
    ran = []
    monkeypatch.setattr("godwit.compute.reconcile.reconcile", lambda mgr: ran.append(mgr))
    (reconcile_task, _), *_ = manager.periodic_tasks()
    _set_managed(cluster, "Unmanaged")
    manager.hypervisor.follow()
    reconcile_task()
    assert ran == []
    _set_managed(cluster, "Managed")
    manager.hypervisor.follow()
    reconcile_task()
    assert ran == [manager]


def test_a_worker_started_in_an_unmanaged_cluster_does_not_connect(cluster):
    _set_managed(cluster, "Unmanaged")
    manager = _manager()
    manager.init_host()
    assert (manager.hypervisor.connected, manager.driver.connects) == (False, 0)
    _set_managed(cluster, "Managed")
    manager.cluster_managed_changed(_ctx(), cluster)
    assert (manager.hypervisor.connected, manager.driver.connects) == (True, 1)
    assert db.host_get("hv1").vcpus == CONF.compute.fake_vcpus


def test_an_unreachable_hypervisor_is_retried_when_managed_again(manager, cluster,
                                                                 monkeypatch):
    _set_managed(cluster, "Unmanaged")
    manager.hypervisor.follow()

    def unreachable():
        raise exception.HypervisorUnreachable(url="http://hv1", reason="refused")
    monkeypatch.setattr(manager.driver, "init_host", unreachable)
    _set_managed(cluster, "Managed")
    manager.hypervisor.follow()
    assert manager.hypervisor.connected is False
    monkeypatch.undo()
    manager.hypervisor.follow()
    assert manager.hypervisor.connected is True
