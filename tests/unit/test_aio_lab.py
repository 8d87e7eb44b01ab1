"""A simulated host of the all-in-one as its BMC powers it: off stops its compute worker and
kills its XenServer host; on revives the host and starts a NEW worker; once the all-in-one
stops, the worker running then is the one stopped, and power changes start nothing."""
import threading

import pytest

from godwit.ha import lab


class Worker:
    """Records what the simulated host does to it."""

    def __init__(self, calls):
        self.calls = calls
        self.manager = object()

    def _record(self, what):
        self.calls.append((what, self))

    def start(self):
        self._record("start")

    def stop(self):
        self._record("stop")

    def wait(self):
        self._record("wait")


class BrokenWorker(Worker):
    def start(self):
        raise RuntimeError("cannot reach XAPI")


class SlowWorker(Worker):
    """Starts once let go, as a worker that connects to XAPI first takes a while."""

    def __init__(self, calls, starting, go):
        super().__init__(calls)
        self.starting, self.go = starting, go

    def start(self):
        self.starting.set()
        self.go.wait(10)
        super().start()


class Pool:
    def __init__(self, calls):
        self.calls = calls

    def set_host_power(self, name, on):
        self.calls.append(("pool", name, on))


@pytest.fixture
def calls():
    return []


@pytest.fixture
def host(calls):
    simulated = lab.SimulatedHost("compute-3", lambda: Worker(calls), Pool(calls))
    simulated.start()
    return simulated


def test_power_off_stops_the_worker_then_kills_the_host_once(host, calls):
    first = host.worker
    host.power_off()
    host.power_off()
    assert calls == [("start", first), ("stop", first), ("wait", first),
                     ("pool", "compute-3", False)]
    assert not host.powered


def test_power_on_revives_the_host_and_starts_a_new_worker(host, calls):
    first = host.worker
    host.power_off()
    host.power_on()
    host.power_on()
    second = host.worker
    assert second is not first and host.manager is second.manager
    assert calls[-2:] == [("pool", "compute-3", True), ("start", second)]
    assert [call for call in calls if call[1] is first] == [
        ("start", first), ("stop", first), ("wait", first)]


def test_stopping_the_all_in_one_stops_the_worker_of_the_last_boot(host, calls):
    host.power_off()
    host.power_on()
    second = host.worker
    host.stop()
    host.wait()
    host.power_off()
    host.power_on()
    assert host.worker is second
    assert calls[-2:] == [("stop", second), ("wait", second)]


def test_a_host_off_when_the_all_in_one_stops_stops_nothing_more(host, calls):
    host.power_off()
    seen = list(calls)
    host.stop()
    host.wait()
    host.power_on()
    assert calls == seen


def test_a_worker_that_cannot_start_leaves_the_host_on_and_silent(calls):
    workers = iter([Worker(calls), BrokenWorker(calls)])
    host = lab.SimulatedHost("compute-3", lambda: next(workers))
    host.start()
    host.power_off()
    host.power_on()
    assert host.powered and isinstance(host.worker, BrokenWorker)
    host.stop()
    assert calls[-1] == ("stop", host.worker)


def test_a_stop_during_a_boot_stops_the_worker_being_started(calls):
    starting, go = threading.Event(), threading.Event()
    workers = iter([Worker(calls), SlowWorker(calls, starting, go)])
    host = lab.SimulatedHost("compute-3", lambda: next(workers))
    host.start()
    host.power_off()
    boot = threading.Thread(target=host.power_on)
    boot.start()
    starting.wait(10)
    stopper = threading.Thread(target=host.stop)
    stopper.start()
    go.set()
    boot.join(10)
    stopper.join(10)
    host.wait()
    booted = host.worker
    assert isinstance(booted, SlowWorker)
    assert calls[-3:] == [("start", booted), ("stop", booted), ("wait", booted)]
