"""The xenapi driver's ``disconnect``: every XAPI session is logged out, calls then fail,
and ``init_host`` connects again (what a worker of an unmanaged cluster does)."""
import threading

import pytest

from godwit import exception
from godwit.virt.xenapi.session import Session
from tests.unit.xenapi.simulator_harness import PASSWORD, USER
from tests.unit.xenapi.test_driver import hosts, xen_conf  # noqa: F401


def _open_sessions(simulator):
    return len(simulator.sessions._refs)


def test_disconnect_logs_every_session_out_and_init_host_reconnects(hosts):  # noqa: F811
    (driver,) = hosts.add("xenserver-1")
    simulator = hosts.simulators["xenserver-1"]
    xen = driver.xen
    assert _open_sessions(simulator) >= 1
    driver.disconnect()
    assert (_open_sessions(simulator), driver.xen) == (0, None)
    with pytest.raises(exception.HypervisorError) as caught:
        xen.call("host.get_all")
    assert "was closed" in str(caught.value)
    driver.disconnect()  # nothing left to close
    driver.init_host()
    assert driver.get_host_info()["hypervisor_version"] == "8.2.1"
    assert _open_sessions(simulator) == 1


def test_a_session_in_use_is_logged_out_when_its_call_returns(hosts):  # noqa: F811
    hosts.add("xenserver-1")
    simulator = hosts.simulators["xenserver-1"]
    session = Session(simulator.url, USER, PASSWORD)
    in_call, closed = threading.Event(), threading.Event()

    def slow_call():
        with session._borrow():
            in_call.set()
            closed.wait(5)

    caller = threading.Thread(target=slow_call)
    before = _open_sessions(simulator)
    caller.start()
    in_call.wait(5)
    assert _open_sessions(simulator) == before + 1
    session.close()
    closed.set()
    caller.join(5)
    assert _open_sessions(simulator) == before
