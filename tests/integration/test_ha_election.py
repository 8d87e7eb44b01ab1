"""HA monitor leader election on real Redis (tooz): of two schedulers one leads; when it
stops, the other takes over. Each test uses a group of its own."""
import time

from godwit.ha import election
from tests import services

URL = "redis://127.0.0.1:6379?timeout=5"


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
    group = services.unique_name("godwit-ha").encode()
    first = election.ToozLeader(URL, group=group, member=b"scheduler-a")
    second = election.ToozLeader(URL, group=group, member=b"scheduler-b")
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


def test_without_coordination_url_the_process_always_leads():
    assert election.leadership(None).is_leader()
