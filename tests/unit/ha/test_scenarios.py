"""HA scenarios, simulator style: scripted events per monitor round (a compute worker
stops, a host powers off, its network is cut, it comes back, its BMC fails), a simulated
world of hosts and running VMs, and the expected event log of each scenario. Across all of
them, an instance never runs on two hosts (a VM running is writing its disks)."""
import datetime
import functools

import pytest

from godwit.compute import migration as compute_migration
from godwit.compute import states
from godwit.compute.migration import current_flavor
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from godwit.ha import events, fencing, ipmi, monitor, recovery


class World:
    """Which hosts are powered and where each VM runs; BMCs and drivers act on it."""

    def __init__(self, running):
        self.powered = {"h1": True, "h2": True, "h3": True}
        self.running = {uuid: {"h1"} for uuid in running}
        self.bmc_fails = False
        self.worker_up = {"h1": True, "h2": True, "h3": True}

    def power(self, host, on):
        self.powered[host] = on
        if not on:
            for hosts in self.running.values():
                hosts.discard(host)

    def bmc(self, host, address, username, password):
        world = self

        class BMC:
            def fence(self):
                if world.bmc_fails:
                    raise ipmi.FenceFailed(host=host, step="power off", reason="no answer")
                world.power(host, False)
                world.power(host, True)
        return BMC()

    def check(self):
        double = {uuid: hosts for uuid, hosts in self.running.items() if len(hosts) > 1}
        assert not double, f"instances running on two hosts: {double}"


class Driver:
    storage_kind = "shared"

    def __init__(self, world, host):
        self.world, self.host = world, host

    def _runs(self, instance, power_on=True):
        if power_on:
            self.world.running.setdefault(instance.uuid, set()).add(self.host)

    def _stops(self, instance, keep_vm=False):
        if not keep_vm:
            self.world.running.get(instance.uuid, set()).discard(self.host)

    def recover(self, instance, dead_host, power_on):
        self._runs(instance, power_on)

    migrate_restore_source = _runs
    cleanup_migration = _stops
    migrate_drop_destination = destroy = _stops

    def list_firewalls(self):
        return []

    def apply_firewall(self, instance, rules):
        pass

    remove_firewall = apply_firewall


class Manager:
    def __init__(self, world, host, rpc=None):
        self.host, self.driver, self.compute_rpcapi = host, Driver(world, host), rpc


class ImmediateRPC:
    """Delivers each cast at once, to the simulated worker of a host that runs one."""

    def __init__(self, world):
        self.world = world

    def recover_instance(self, context, host, instance_uuid, migration_uuid):
        if self.world.worker_up[host]:
            recovery.recover(Manager(self.world, host), migration_uuid)

    def advance_migration(self, context, host, migration):
        if self.world.worker_up[host]:
            compute_migration.advance(Manager(self.world, host, self), migration.uuid)


def _silence(host):
    """Its last heartbeat is long past (a dead worker's, re-dated each round)."""
    service = db.service_list(host=host, binary="godwit-compute")[0]
    db.service_update(service.uuid, {
        "last_seen_up": models.utcnow() - datetime.timedelta(minutes=5)})


ACTIONS = {
    # the worker stops (or its network is cut): no heartbeats, the VMs keep running
    "stop-worker": lambda world, host: world.worker_up.update({host: False}),
    "cut-network": lambda world, host: world.worker_up.update({host: False}),
    "power-off": lambda world, host: (world.power(host, False),
                                      world.worker_up.update({host: False})),
    "back": lambda world, host: (world.power(host, True),
                                 world.worker_up.update({host: True})),
    "fail-bmc": lambda world, host: setattr(world, "bmc_fails", True),
    "fix-bmc": lambda world, host: setattr(world, "bmc_fails", False),
}

SCENARIOS = {
    "worker stops, fenced, recovered": (
        {0: [("stop-worker", "h1")]},
        ["suspect", "fence-start", "fence-ok", "leases-broken", "not-recovered",
         "recover-start", "recover-ok"]),
    "network cut: fenced before anything runs twice": (
        {0: [("cut-network", "h1")]},
        ["suspect", "fence-start", "fence-ok", "leases-broken", "not-recovered",
         "recover-start", "recover-ok"]),
    "host powers off": (
        {0: [("power-off", "h1")]},
        ["suspect", "fence-start", "fence-ok", "leases-broken", "not-recovered",
         "recover-start", "recover-ok"]),
    "host back during the saving throws": (
        {0: [("stop-worker", "h1")], 1: [("back", "h1")]},
        ["suspect", "cleared"]),
    "BMC fails: nothing recovered, retried once it answers": (
        {0: [("fail-bmc", "h1"), ("cut-network", "h1")], 5: [("fix-bmc", "h1")]},
        ["suspect", "fence-start", "fence-failed", "fence-start", "fence-failed",
         "fence-start", "fence-ok", "leases-broken", "not-recovered", "recover-start",
         "recover-ok"]),
    "fenced host comes back: stays fenced, nothing more": (
        {0: [("power-off", "h1")], 4: [("back", "h1")]},
        ["suspect", "fence-start", "fence-ok", "leases-broken", "not-recovered",
         "recover-start", "recover-ok"]),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(cloud, name):
    script, expected = SCENARIOS[name]
    world = _play(cloud, World([cloud["shared"], cloud["local"]]), script)
    assert [e.event for e in events.list_events(host="h1")] == expected
    if "recover-ok" in expected:
        assert world.running[cloud["shared"]] == {db.instance_get(cloud["shared"]).host}
        assert db.host_get("h1").maintenance_state == "fenced"


def _play(cloud, world, script):
    """Ten monitor rounds of ``script``; no instance ever runs on two hosts."""
    CONF.set_override("fence_retry_interval", 10, group="ha")
    mon = monitor.Monitor(cloud["monitor"].leadership, ImmediateRPC(world),
                          fence=functools.partial(fencing.fence_and_recover,
                                                  bmc_factory=world.bmc),
                          clock=cloud["clock"])
    try:
        for round_number in range(10):
            for action, host in script.get(round_number, ()):
                ACTIONS[action](world, host)
            for host, up in world.worker_up.items():
                if up:
                    db.service_heartbeat(db.service_list(host=host)[0].id)
                else:
                    _silence(host)
            mon.tick()
            world.check()
            cloud["clock"].now += 5
    finally:
        CONF.clear_override("fence_retry_interval", group="ha")
    return world


def _migrating(uuid, status, task_state):
    """A cold migration of the instance from h1 to h2 in ``status``, h2's claim made."""
    next_step_host = "h2" if status == states.POST_MIGRATING else "h1"
    flavor = current_flavor(db.instance_get(uuid))
    with writer() as session:
        db.instance_update(uuid, {"task_state": task_state}, session=session)
        db.host_claim(session, "h2", 1, 512, 1)
        return db.migration_create(session, {
            "instance_uuid": uuid, "migration_type": states.COLD_MIGRATION,
            "status": status, "source_host": "h1", "dest_host": "h2",
            "next_step_host": next_step_host, "old_flavor": flavor, "new_flavor": flavor,
            "power_on": True})


def test_host_dies_as_the_source_of_a_cold_migration(cloud):
    migration = _migrating(cloud["shared"], states.MIGRATING, states.RESIZE_MIGRATING)
    world = _play(cloud, World([cloud["shared"], cloud["local"]]),
                  {0: [("power-off", "h1")]})
    assert [e.event for e in events.list_events(host="h1")] == [
        "suspect", "fence-start", "fence-ok", "leases-broken", "migration-ended",
        "not-recovered", "recover-start", "recover-ok"]
    instance = db.instance_get(cloud["shared"])
    assert (instance.vm_state, instance.task_state) == (states.ACTIVE, None)
    assert world.running[cloud["shared"]] == {instance.host}
    assert db.migration_get(migration.uuid).status == states.MIGRATION_ERROR
    assert {host: db.host_get(host).vcpus_used for host in ("h2", "h3")} == \
        {host: int(host == instance.host) for host in ("h2", "h3")}


def test_host_dies_as_the_destination_of_a_cold_migration(cloud):
    migration = _migrating(cloud["shared"], states.POST_MIGRATING, states.RESIZE_MIGRATED)
    world = World([cloud["local"]])  # the source shut the shared one down for the copy
    _play(cloud, world, {0: [("power-off", "h2")]})
    assert [e.event for e in events.list_events(host="h2")] == [
        "suspect", "fence-start", "fence-ok", "leases-broken", "migration-ended"]
    instance = db.instance_get(cloud["shared"])
    assert (instance.host, instance.vm_state, instance.task_state) == (
        "h1", states.ACTIVE, None)
    assert world.running[cloud["shared"]] == {"h1"}
    assert db.migration_get(migration.uuid).status == states.MIGRATION_ERROR
    assert db.host_get("h2").vcpus_used == 0
