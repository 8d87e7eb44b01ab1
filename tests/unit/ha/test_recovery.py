"""The target's side of a recovery (take over, lease, start), its idempotence, what a lost
cast or a crash leaves (the leader sends it again), and the dead host's reconciler leaving
an instance being recovered alone."""
import pytest

from godwit.compute import reconcile, states
from godwit.db import api as db
from godwit.db import models
from godwit.ha import events, fencing, leases, recovery


class Driver:
    def __init__(self, host, fail=None):
        self.host = host
        self.fail = fail
        self.recovered = []

    def recover(self, instance, dead_host, power_on):
        if self.fail:
            raise RuntimeError(self.fail)
        self.recovered.append((instance.uuid, dead_host, power_on))

    def list_firewalls(self):
        return []

    def get_power_state(self, instance):
        return states.RUNNING


class Manager:
    def __init__(self, host, driver=None):
        self.host = host
        self.driver = driver or Driver(host)

    def with_instance_lock(self, uuid, func, *args):
        return func(*args)

    try_with_instance_lock = with_instance_lock


@pytest.fixture
def decided(cloud):
    """h1 fenced, its shared instance sent to a target (not yet started there)."""
    fencing.mark_fenced("h1")
    leases.break_host("h1")
    recovery.recover_host("h1", cloud["rpc"])
    [(target, uuid, migration_uuid)] = cloud["rpc"].casts
    return dict(cloud, target=target, migration=migration_uuid)


def _usage(name):
    return db.host_get(name).vcpus_used


def test_target_takes_the_instance_over_and_starts_it(decided):
    manager = Manager(decided["target"])
    recovery.recover(manager, decided["migration"])
    instance = db.instance_get(decided["shared"])
    assert (instance.host, instance.vm_state, instance.task_state, instance.power_state) == \
        (decided["target"], states.ACTIVE, None, states.RUNNING)
    assert instance.previous_host == "h1"
    assert manager.driver.recovered == [(instance.uuid, "h1", True)]
    assert db.migration_get(decided["migration"]).status == states.FINISHED
    assert (_usage("h1"), _usage(decided["target"])) == (1, 1)  # the local one stays on h1
    assert leases.holder(instance.uuid) == decided["target"]
    assert [e.event for e in events.list_events(host="h1")][-1] == "recover-ok"


def test_a_second_cast_changes_nothing(decided):
    manager = Manager(decided["target"])
    recovery.recover(manager, decided["migration"])
    recovery.recover(manager, decided["migration"])
    assert len(manager.driver.recovered) == 1
    assert _usage(decided["target"]) == 1


def test_another_host_ignores_the_cast(decided):
    other = ({"h2", "h3"} - {decided["target"]}).pop()
    recovery.recover(Manager(other), decided["migration"])
    assert db.instance_get(decided["shared"]).host == "h1"


def test_a_recovery_no_host_finished_is_sent_again(decided):
    rpc = decided["rpc"]
    assert recovery.resend_stalled(rpc, age=3600) == 0
    assert recovery.resend_stalled(rpc, age=0) == 1
    assert rpc.casts[-1] == (decided["target"], decided["shared"], decided["migration"])
    recovery.recover(Manager(decided["target"]), decided["migration"])
    assert recovery.resend_stalled(rpc, age=0) == 0


def test_a_failed_start_leaves_the_instance_in_error_on_the_dead_host(decided):
    manager = Manager(decided["target"], Driver(decided["target"], fail="no VM record"))
    recovery.recover(manager, decided["migration"])
    instance = db.instance_get(decided["shared"], details=True)
    assert (instance.host, instance.vm_state, instance.task_state) == ("h1", states.ERROR, None)
    assert "no VM record" in instance.faults[0].message
    assert _usage(decided["target"]) == 0
    assert db.migration_get(decided["migration"]).status == states.MIGRATION_ERROR


def test_disks_leased_to_a_live_host_are_not_started(decided):
    other = ({"h2", "h3"} - {decided["target"]}).pop()
    leases.acquire(decided["shared"], "shared", other)
    manager = Manager(decided["target"])
    recovery.recover(manager, decided["migration"])
    instance = db.instance_get(decided["shared"], details=True)
    assert manager.driver.recovered == []
    assert f"leased to host {other}" in instance.faults[0].message


def test_the_dead_hosts_reconciler_leaves_an_instance_being_recovered(decided):
    instance = db.instance_get(decided["shared"])
    reconcile.recover_instance(Manager("h1"), instance)
    assert db.instance_get(decided["shared"]).task_state == states.REBUILDING


def test_a_recovery_whose_target_dies_too_goes_to_another_host(decided):
    dead_target = decided["target"]
    other = ({"h2", "h3"} - {dead_target}).pop()
    fencing.mark_fenced(dead_target)
    recovery.recover_host(dead_target, decided["rpc"])
    recovery.recover_host(dead_target, decided["rpc"])  # a new leader: nothing more
    [(_, _, first), (target, uuid, second)] = decided["rpc"].casts
    assert (target, uuid) == (other, decided["shared"])
    assert db.migration_get(first).status == states.MIGRATION_ERROR
    assert _usage(dead_target) == 0
    recovery.recover(Manager(other), second)
    instance = db.instance_get(decided["shared"])
    assert (instance.host, instance.vm_state, instance.previous_host) == (
        other, states.ACTIVE, "h1")
    assert [e.event for e in events.list_events(host="h1")][-3:] == [
        "migration-ended", "recover-start", "recover-ok"]


def test_a_recovery_whose_target_dies_with_no_other_host_left_ends_in_error(decided):
    dead_target = decided["target"]
    other = ({"h2", "h3"} - {dead_target}).pop()
    fencing.mark_fenced(other)
    fencing.mark_fenced(dead_target)
    recovery.recover_host(dead_target, decided["rpc"])
    instance = db.instance_get(decided["shared"], details=True)
    assert (instance.host, instance.vm_state, instance.task_state) == ("h1", states.ERROR,
                                                                       None)
    assert "No host can take" in instance.faults[0].message
    assert db.migration_get(decided["migration"]).status == states.MIGRATION_ERROR
    assert _usage(dead_target) == 0
    assert len(decided["rpc"].casts) == 1


def test_an_instance_arriving_on_a_fenced_silent_host_is_recovered_at_the_next_round(cloud):
    """As after a live migration to the host that completed just before it died: the
    host's recovery had found nothing of it."""
    fencing.mark_fenced("h1")
    leases.break_host("h1")
    rpc = cloud["rpc"]
    assert recovery.resend_stalled(rpc, age=3600) == 0 and rpc.casts == []  # it heartbeats
    service = db.service_list(host="h1", binary="godwit-compute")[0]
    db.service_update(service.uuid, {"last_seen_up": models.utcnow().replace(year=2000)})
    recovery.resend_stalled(rpc, age=3600)
    assert [uuid for _, uuid, _ in rpc.casts] == [cloud["shared"]]
    assert db.instance_get(cloud["local"]).vm_state == states.ERROR
    recovery.resend_stalled(rpc, age=3600)  # decided: not again
    assert len(rpc.casts) == 1
    assert [e.event for e in events.list_events(host="h1")].count("not-recovered") == 1
