"""A XAPI simulator in the test's own directory, and a logged-in XenAPI session to it."""
import pytest

from tests.unit.xenapi.simulator_harness import login, start_simulator


@pytest.fixture
def simulator(tmp_path):
    sim = start_simulator(tmp_path / "xapi")
    yield sim
    sim.stop()


@pytest.fixture
def xenapi(simulator):
    """The ``xenapi`` proxy of a session logged in to ``simulator``."""
    session = login(simulator.url)
    yield session.xenapi
    session.xenapi.session.logout()
