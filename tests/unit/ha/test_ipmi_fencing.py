"""Fencing over real IPMI (pyghmi's client) against the virtual BMC in its own process."""
import socket
import subprocess
import sys
import time

import pytest

from godwit.ha import ipmi, vbmc

PASSWORD = "fence-secret"


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def start_bmc(tmp_path):
    """Starts a virtual BMC; returns (BMC client, PowerFile)."""
    processes = []

    def start(*extra):
        port = _free_udp_port()
        power = vbmc.PowerFile(str(tmp_path / f"power-{port}"))
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "godwit.ha.vbmc", "--port", str(port), "--password",
             PASSWORD, "--power-file", power.path, *extra]))
        client = ipmi.BMC("host-1", f"127.0.0.1:{port}", "admin", PASSWORD)
        _wait_until_answering(client)
        return client, power

    yield start
    for process in processes:
        process.terminate()
        process.wait(10)


def _wait_until_answering(client):
    deadline = time.monotonic() + 30
    while True:
        try:
            client.power_state()
            return
        except ipmi.FenceFailed:
            if time.monotonic() > deadline:
                raise


def test_fence_powers_off_verifies_and_powers_on(start_bmc):
    client, power = start_bmc()
    assert client.power_state() == "on"
    client.fence(verify_interval=0.1)
    assert power.get() == "on"


def test_fence_without_power_on_leaves_the_host_off(start_bmc):
    client, power = start_bmc()
    client.fence(verify_interval=0.1, power_on=False)
    assert power.get() == "off"
    assert client.power_state() == "off"


def test_wrong_password_fails_at_login_and_changes_nothing(start_bmc):
    client, power = start_bmc()
    wrong = ipmi.BMC("host-1", f"{client.address}:{client.port}", "admin", "wrong")
    with pytest.raises(ipmi.FenceFailed, match="power off.*password"):
        wrong.fence()
    assert power.get() == "on"


def test_broken_bmc_fails_the_fence(start_bmc):
    client, power = start_bmc("--fail")
    with pytest.raises(ipmi.FenceFailed, match="Fencing host host-1 failed at power off"):
        client.fence(verify_interval=0.1)
    assert power.get() == "on"


def test_unreachable_bmc_fails_within_the_request_timeout(tmp_path):
    client = ipmi.BMC("host-1", f"127.0.0.1:{_free_udp_port()}", "admin", PASSWORD,
                      request_timeout=3)
    with pytest.raises(ipmi.FenceFailed, match="failed at power off"):
        client.fence()


def test_power_file_defaults_to_on_and_round_trips(tmp_path):
    power = vbmc.PowerFile(str(tmp_path / "power"))
    assert power.get() == "on"
    power.set("off")
    assert power.get() == "off"
