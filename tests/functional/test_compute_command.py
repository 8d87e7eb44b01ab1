"""``godwit-compute`` refuses to start, saying why, when it cannot use its hypervisor."""
import os
import subprocess
import sys

import pytest

from tests.unit.xenapi.simulator_harness import start_simulator

BIN = os.path.dirname(sys.executable)


def _compute(tmp_path, xenserver_section):
    config = tmp_path / "godwit.conf"
    config.write_text(f"[DEFAULT]\ndata_dir = {tmp_path}\n[compute]\n"
                      f"compute_driver = xenapi\n[xenserver]\n{xenserver_section}")
    for command in (["godwit-manage", "--config-file", str(config), "db", "sync"],
                    ["godwit-compute", "--config-file", str(config), "--host", "hv-1"]):
        result = subprocess.run([os.path.join(BIN, command[0]), *command[1:]],
                                capture_output=True, text=True, timeout=60)
    return result


def test_an_unreachable_xapi_stops_the_worker_with_its_url(tmp_path):
    result = _compute(tmp_path, "connection_url = http://127.0.0.1:9/\n")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "godwit-compute: host hv-1 cannot start: Cannot reach the hypervisor at "
        "http://127.0.0.1:9/: [Errno 111] Connection refused")


@pytest.fixture
def simulator(tmp_path):
    sim = start_simulator(tmp_path / "xapi")
    yield sim
    sim.stop()


def test_bad_xapi_credentials_stop_the_worker_naming_the_user(tmp_path, simulator):
    result = _compute(tmp_path, f"connection_url = {simulator.url}\n"
                                "connection_username = root\nconnection_password = wrong\n")
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("godwit-compute: host hv-1 cannot start:")
    assert "refused the credentials of user 'root' (SESSION_AUTHENTICATION_FAILED)" in last_line
