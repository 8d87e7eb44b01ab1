"""The HA monitor's detection and fencing, with a fake clock and a fake BMC (no sleeps):
suspect after missed heartbeats, saving throws, cleared, fenced, a failed fence recovers
nothing, the leader alone acts; a new leader carries on where the last one stopped, and
fences run one at a time across leaders. What a user sees: the HA event log, the host's
state and where its instances are."""
import datetime
import functools

import pytest

from godwit.compute import states
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.ha import election, events, fencing, host_fences, leases, monitor


def _silence(host, seconds=60):
    """The host's last heartbeat was ``seconds`` ago (more than 2 report intervals)."""
    service = db.service_list(host=host, binary="godwit-compute")[0]
    db.service_update(service.uuid, {
        "last_seen_up": models.utcnow() - datetime.timedelta(seconds=seconds)})


def _heartbeat(host):
    db.service_heartbeat(db.service_list(host=host, binary="godwit-compute")[0].id)


def _log(host="h1"):
    return [event.event for event in events.list_events(host=host)]


def _tick(cloud, advance=0):
    cloud["clock"].now += advance
    cloud["monitor"].tick()


def test_hosts_heartbeating_are_left_alone(cloud):
    for _ in range(5):
        _tick(cloud, 5)
    assert _log() == [] and cloud["bmcs"].fenced == []


def test_silent_host_is_suspect_then_fenced_after_saving_throws(cloud):
    _silence("h1")
    _tick(cloud)
    assert _log() == ["suspect"]
    _tick(cloud, 5)  # one saving throw of two left
    assert _log() == ["suspect"] and cloud["bmcs"].fenced == []
    _tick(cloud, 5)
    assert cloud["bmcs"].fenced == [("h1", "127.0.0.1:7000", "admin", "pw")]
    assert _log() == ["suspect", "fence-start", "fence-ok", "leases-broken",
                      "not-recovered", "recover-start"]
    assert db.host_get("h1").maintenance_state == "fenced"


def test_fenced_host_is_not_fenced_again_and_stays_fenced(cloud):
    _silence("h1")
    _tick(cloud)
    _tick(cloud, 10)
    _heartbeat("h1")  # the host powered back on and its worker restarted
    for _ in range(3):
        _tick(cloud, 10)
    assert len(cloud["bmcs"].fenced) == 1
    assert db.host_get("h1").maintenance_state == "fenced"
    assert fencing.unfence("h1") and db.host_get("h1").maintenance_state == "ready"


def test_heartbeat_during_saving_throws_clears_the_host(cloud):
    _silence("h1")
    _tick(cloud)
    _heartbeat("h1")
    _tick(cloud, 5)
    _tick(cloud, 10)
    assert _log() == ["suspect", "cleared"] and cloud["bmcs"].fenced == []
    assert db.instance_get(cloud["shared"]).host == "h1"


def test_forced_down_service_counts_as_down(cloud):
    service = db.service_list(host="h2", binary="godwit-compute")[0]
    db.service_update(service.uuid, {"forced_down": True})
    _tick(cloud)
    _tick(cloud, 10)
    assert _log("h2")[:3] == ["suspect", "fence-start", "fence-ok"]


def test_unmanaged_cluster_is_never_fenced(cloud):
    hierarchy.update(models.Cluster, cloud["cluster"].uuid, {"managed_state": "Unmanaged"})
    _silence("h1")
    _tick(cloud)
    _tick(cloud, 10)
    assert _log() == [] and cloud["bmcs"].fenced == []


def test_failed_fence_recovers_nothing_and_is_retried_later(cloud):
    cloud["bmcs"].fail = True
    _silence("h1")
    _tick(cloud)
    _tick(cloud, 10)
    assert _log() == ["suspect", "fence-start", "fence-failed"]
    assert db.host_get("h1").maintenance_state == "ready"
    assert leases.holder(cloud["shared"]) == "h1"
    assert db.instance_get(cloud["shared"]).task_state is None
    assert cloud["rpc"].casts == []
    _tick(cloud, 5)  # before [ha] fence_retry_interval: no new attempt
    assert _log().count("fence-start") == 1
    cloud["bmcs"].fail = False
    _tick(cloud, CONF.ha.fence_retry_interval)
    assert _log()[3:5] == ["fence-start", "fence-ok"]
    assert db.host_get("h1").maintenance_state == "fenced"


def test_failed_fence_recovers_when_configured_to(cloud):
    CONF.set_override("recover_without_fence", True, group="ha")
    cloud["bmcs"].fail = True
    _silence("h1")
    _tick(cloud)
    _tick(cloud, 10)
    assert "fence-failed" in _log() and "recover-start" in _log()
    assert [cast[1] for cast in cloud["rpc"].casts] == [cloud["shared"]]


def test_host_without_bmc_is_not_fenced(cloud):
    db.host_register("h1", {"ipmi_address": None})
    _silence("h1")
    _tick(cloud)
    _tick(cloud, 10)
    assert _log() == ["suspect", "fence-start", "fence-failed"]
    assert "no BMC address" in events.list_events(host="h1")[-1].message


def test_only_the_leader_acts(cloud):
    cloud["monitor"].leadership.leading = False
    _silence("h1")
    for _ in range(4):
        _tick(cloud, 10)
    assert _log() == [] and cloud["bmcs"].fenced == []


def test_fences_run_one_at_a_time(cloud):
    """Two hosts die at once: the second fence starts after the first has ended."""
    _silence("h1")
    _silence("h2")
    _tick(cloud)
    _tick(cloud, 10)
    log = [(e.host, e.event) for e in events.list_events() if e.event.startswith("fence")]
    assert log == [("h1", "fence-start"), ("h1", "fence-ok"), ("h2", "fence-start"),
                   ("h2", "fence-ok")]


def test_recovery_is_decided_only_after_the_confirmed_fence(cloud):
    _silence("h1")
    _tick(cloud)
    _tick(cloud, 10)
    shared, local = db.instance_get(cloud["shared"]), db.instance_get(cloud["local"], details=True)
    [(target, uuid, migration_uuid)] = cloud["rpc"].casts
    assert uuid == shared.uuid and target in ("h2", "h3")
    assert (shared.task_state, shared.previous_host) == (states.REBUILDING, "h1")
    migration = db.migration_get(migration_uuid)
    assert (migration.migration_type, migration.source_host, migration.dest_host) == \
        ("evacuation", "h1", target)
    assert leases.holder(shared.uuid) is None
    assert (local.host, local.vm_state) == ("h1", states.ERROR)
    assert "local storage" in local.faults[0].message


# --- a leader change: the database, not the leader's memory, says where things stand ----------


class Died(Exception):
    """The scheduler process running the monitor dies here."""


def _dies_first(func):
    """``func``, except that its first call kills the scheduler."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise Died()
        return func(*args, **kwargs)
    return wrapper


def _monitor(cloud, name, bmcs=None):
    """Another scheduler's monitor, leading, over the same database, clock and compute RPC."""
    return monitor.Monitor(election.AlwaysLeader(), cloud["rpc"],
                           fence=functools.partial(fencing.fence_and_recover,
                                                   bmc_factory=bmcs or cloud["bmcs"]),
                           clock=cloud["clock"], name=name)


def _at(cloud, seconds, mon):
    cloud["clock"].now = 1000 + seconds
    mon.tick()


def test_new_leader_fences_at_the_deadline_its_predecessor_set(cloud):
    _silence("h1")
    _at(cloud, 0, cloud["monitor"])  # suspect: saving throws run out at 10 s
    cloud["monitor"].stop()
    second = _monitor(cloud, "scheduler-b")
    _at(cloud, 5, second)
    assert _log() == ["suspect", "resumed"] and cloud["bmcs"].fenced == []
    assert "unless it sends a heartbeat" in events.list_events(host="h1")[-1].message
    _at(cloud, 10, second)
    assert [host for host, *_ in cloud["bmcs"].fenced] == ["h1"]
    assert _log()[2:4] == ["fence-start", "fence-ok"]
    assert db.host_get("h1").maintenance_state == "fenced"


def test_new_leader_clears_a_suspect_that_sent_a_heartbeat(cloud):
    _silence("h1")
    _at(cloud, 0, cloud["monitor"])
    cloud["monitor"].stop()
    _heartbeat("h1")
    second = _monitor(cloud, "scheduler-b")
    for seconds in (5, 10, 15):
        _at(cloud, seconds, second)
    assert _log() == ["suspect", "resumed", "cleared"] and cloud["bmcs"].fenced == []
    assert host_fences.get("h1") is None


def test_leader_dying_mid_fence_is_fenced_again_once_its_claim_lapses(cloud):
    """The first leader dies while its BMC request is out: its successor leaves the fence
    alone while the first might still be at it, then fences the host again and recovers."""
    _silence("h1")
    first = _monitor(cloud, "scheduler-a", bmcs=_dies_first(cloud["bmcs"]))
    _at(cloud, 0, first)
    with pytest.raises(Died):
        _at(cloud, 10, first)
    second = _monitor(cloud, "scheduler-b")
    _at(cloud, 15, second)
    _at(cloud, 10 + CONF.ha.fence_takeover_timeout - 1, second)
    assert _log() == ["suspect", "fence-start"] and cloud["rpc"].casts == []
    assert db.host_get("h1").maintenance_state == "ready"
    _at(cloud, 10 + CONF.ha.fence_takeover_timeout, second)
    assert _log() == ["suspect", "fence-start", "resumed", "fence-start", "fence-ok",
                      "leases-broken", "not-recovered", "recover-start"]
    assert "scheduler-a began fencing it" in events.list_events(host="h1")[2].message
    assert [host for host, *_ in cloud["bmcs"].fenced] == ["h1"]
    [(target, uuid, _)] = cloud["rpc"].casts
    assert uuid == cloud["shared"] and target in ("h2", "h3")
    assert db.host_get("h1").maintenance_state == "fenced"
    assert host_fences.get("h1") is None


def test_leader_dying_after_the_power_off_is_recovered_without_a_second_fence(cloud,
                                                                             monkeypatch):
    monkeypatch.setattr(leases, "break_host", _dies_first(leases.break_host))
    _silence("h1")
    first = _monitor(cloud, "scheduler-a")
    _at(cloud, 0, first)
    with pytest.raises(Died):
        _at(cloud, 10, first)
    assert db.host_get("h1").maintenance_state == "fenced"
    assert leases.holder(cloud["shared"]) == "h1" and cloud["rpc"].casts == []
    second = _monitor(cloud, "scheduler-b")
    _at(cloud, 15, second)  # a fenced host is not "silent" any more: its record stays
    _at(cloud, 10 + CONF.ha.fence_takeover_timeout, second)
    assert _log() == ["suspect", "fence-start", "fence-ok", "resumed", "leases-broken",
                      "not-recovered", "recover-start"]
    assert "power-off confirmed" in events.list_events(host="h1")[3].message
    assert len(cloud["bmcs"].fenced) == 1
    assert leases.holder(cloud["shared"]) is None
    assert [cast[1] for cast in cloud["rpc"].casts] == [cloud["shared"]]
    assert db.instance_get(cloud["shared"]).task_state == states.REBUILDING
    _at(cloud, 20 + CONF.ha.fence_takeover_timeout, second)
    assert len(cloud["rpc"].casts) == 1 and host_fences.get("h1") is None


def test_a_monitor_that_fails_mid_fence_carries_on_at_its_next_round(cloud):
    _silence("h1")
    mon = _monitor(cloud, "scheduler-a", bmcs=_dies_first(cloud["bmcs"]))
    _at(cloud, 0, mon)
    with pytest.raises(Died):
        _at(cloud, 10, mon)
    _at(cloud, 15, mon)  # its own claim: no need to wait for it to lapse
    assert _log() == ["suspect", "fence-start", "fence-start", "fence-ok", "leases-broken",
                      "not-recovered", "recover-start"]


def test_one_fence_at_a_time_across_two_leaders(cloud):
    """While one monitor fences h1, another that also believes it leads (the old leader
    finishing its round) fences neither h1 nor the other dead host."""
    second = _monitor(cloud, "scheduler-b")
    during = []

    def bmcs(host, *args):
        bmc = cloud["bmcs"](host, *args)
        if host == "h1":
            second.tick()
            during.extend(cloud["bmcs"].fenced)
        return bmc

    first = _monitor(cloud, "scheduler-a", bmcs=bmcs)
    _silence("h1")
    _silence("h2")
    _at(cloud, 0, first)
    _at(cloud, 10, first)
    assert during == []
    log = [(e.host, e.event) for e in events.list_events() if e.event.startswith("fence")]
    assert log == [("h1", "fence-start"), ("h1", "fence-ok"), ("h2", "fence-start"),
                   ("h2", "fence-ok")]
    _at(cloud, 20, second)
    assert [host for host, *_ in cloud["bmcs"].fenced] == ["h1", "h2"]
