"""HA monitor leader election on real Redis (tooz): of two schedulers one leads; when it
stops, the other takes over, at its next election round when the stop is graceful. Each
test has a key namespace and a group of its own."""
import time

import pytest

from godwit import service
from godwit.conf import CONF
from godwit.ha import election
from godwit.scheduler.manager import SchedulerManager
from tests import services


def _url(lock_timeout=5):
    """A Redis URL whose keys no other test shares. ``lock_timeout``: how long the leader
    lock outlives a leader that does not release it."""
    return (f"redis://127.0.0.1:6379?timeout=5&lock_timeout={lock_timeout}"
            f"&namespace={services.unique_name('godwit-ha')}")


def _wait_for_leader(members, rounds=100):
    """Runs each member's election round until one leads; the leaders."""
    for _ in range(rounds):
        leaders = [member for member in members if member.is_leader()]
        if leaders:
            return leaders
        time.sleep(0.1)
    return []


def test_one_scheduler_leads_and_another_takes_over_when_it_stops():
    services.require("Redis")
    url, group = _url(), services.unique_name("godwit-ha").encode()
    first = election.ToozLeader(url, group=group, member=b"scheduler-a")
    second = election.ToozLeader(url, group=group, member=b"scheduler-b")
    try:
        leaders = _wait_for_leader([first, second])
        assert len(leaders) == 1
        assert [m.is_leader() for m in (first, second)].count(True) == 1
        leader, follower = (first, second) if leaders[0] is first else (second, first)
        leader.stop()
        assert _wait_for_leader([follower]) == [follower]
        assert not leader.leading
    finally:
        first.stop()
        second.stop()


@pytest.fixture
def two_schedulers():
    """Two scheduler managers electing their HA monitor's leader on one Redis namespace
    whose leader lock would outlive a crashed leader by 60 s."""
    services.require("Redis")
    CONF.set_override("coordination_url", _url(lock_timeout=60), group="ha")
    managers = [SchedulerManager(), SchedulerManager()]
    yield managers
    for manager in managers:
        manager.cleanup_host()
    CONF.clear_override("coordination_url", group="ha")


def test_graceful_stop_hands_the_monitor_over_at_the_next_round(two_schedulers):
    """Stopping the leading scheduler's service releases the leader lock: the other is
    elected at its very next election round, not when the lock expires (60 s here)."""
    leaderships = [manager.ha_monitor.leadership for manager in two_schedulers]
    [leader] = _wait_for_leader(leaderships)
    [follower] = [member for member in leaderships if member is not leader]
    assert not follower.is_leader()
    stopping = two_schedulers[leaderships.index(leader)]
    service.RPCService("scheduler-a", "godwit-scheduler", "scheduler", stopping).stop()
    assert follower.is_leader()
    assert not leader.is_leader()  # stopped for good: it does not stand again


def test_without_coordination_url_the_process_always_leads():
    assert election.leadership(None).is_leader()


def test_a_leader_whose_lock_another_took_learns_it_and_follows():
    """The leader stalled past the lock's lifetime and the lock expired (deleted here); the
    other scheduler took it. At its next round the old leader follows, so that two
    schedulers never both run the monitor."""
    services.require("Redis")
    url, group = _url(), services.unique_name("godwit-ha").encode()
    first = election.ToozLeader(url, group=group, member=b"scheduler-a")
    second = election.ToozLeader(url, group=group, member=b"scheduler-b")
    try:
        [leader] = _wait_for_leader([first, second])
        follower = second if leader is first else first
        assert not follower.is_leader()
        leader.lock.break_()
        assert follower.is_leader()
        assert not leader.is_leader()
        assert follower.is_leader()
    finally:
        first.stop()
        second.stop()
