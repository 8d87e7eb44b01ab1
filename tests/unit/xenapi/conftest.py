"""A XAPI simulator in the test's own directory, and a logged-in XenAPI session to it.

A module's ``SIMULATED_HOSTS`` (host names) makes the simulator a pool of those hosts
sharing an SR; without it the simulator has one host."""
import pytest

from tests.unit.xenapi.simulator_harness import login, start_simulator


@pytest.fixture
def simulator(request, tmp_path):
    hosts = getattr(request.module, "SIMULATED_HOSTS", None)
    sim = start_simulator(tmp_path / "xapi", **({"hosts": hosts} if hosts else {}))
    yield sim
    sim.stop()


@pytest.fixture
def xenapi(simulator):
    """The ``xenapi`` proxy of a session logged in to ``simulator``."""
    session = login(simulator.url)
    yield session.xenapi
    session.xenapi.session.logout()
