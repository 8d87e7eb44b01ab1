"""``godwit-compute`` refuses to start, saying why, when it cannot use its hypervisor (unless
its cluster is unmanaged: then it waits without it)."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

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


def _unmanaged_cluster_holding(database, host):
    """Writes zone > pod > Unmanaged cluster > ``host`` straight into the SQLite file."""
    with sqlite3.connect(database) as conn:
        now = "2026-01-01 00:00:00"
        conn.execute("INSERT INTO zones (uuid, name, allocation_state, created_at) "
                     "VALUES ('z', 'z', 'Enabled', ?)", (now,))
        conn.execute("INSERT INTO pods (uuid, name, zone_id, allocation_state, created_at) "
                     "SELECT 'p', 'p', id, 'Enabled', ? FROM zones", (now,))
        conn.execute("INSERT INTO clusters (uuid, name, pod_id, hypervisor_type, "
                     "allocation_state, managed_state, created_at) "
                     "SELECT 'c', 'pool', id, 'xen', 'Enabled', 'Unmanaged', ? FROM pods", (now,))
        conn.execute("INSERT INTO hosts (uuid, name, cluster_id, hypervisor_type, "
                     "allocation_state, maintenance_state, vcpus, memory_mb, disk_gb, "
                     "vcpus_used, memory_mb_used, disk_gb_used, running_vms, "
                     "cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, "
                     "created_at) SELECT 'h', ?, id, 'xen', 'Enabled', 'ready', 0, 0, 0, 0, 0, "
                     "0, 0, 1, 1, 1, ? FROM clusters", (host, now))


def _heartbeats(database, host):
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT report_count FROM services WHERE host = ?", (host,)).fetchone()
    return row[0] if row else 0


def test_a_worker_of_an_unmanaged_cluster_waits_without_its_hypervisor(tmp_path):
    """Its XAPI is unreachable, yet it runs and sends heartbeats (the service is up)."""
    config = tmp_path / "godwit.conf"
    config.write_text(f"[DEFAULT]\ndata_dir = {tmp_path}\nreport_interval = 1\n"
                      "transport_url = kombu+memory:////\n[compute]\ncompute_driver = xenapi\n"
                      "[xenserver]\nconnection_url = http://127.0.0.1:9/\n")
    subprocess.run([os.path.join(BIN, "godwit-manage"), "--config-file", str(config), "db",
                    "sync"], check=True, capture_output=True, timeout=60)
    database = str(tmp_path / "godwit.sqlite")
    _unmanaged_cluster_holding(database, "hv-1")
    worker = subprocess.Popen([os.path.join(BIN, "godwit-compute"), "--config-file",
                               str(config), "--host", "hv-1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while _heartbeats(database, "hv-1") < 2 and worker.poll() is None:
            assert time.monotonic() < deadline, "no heartbeats"
            time.sleep(0.2)
        assert worker.poll() is None, worker.communicate()[1]
    finally:
        worker.send_signal(signal.SIGTERM)
        stdout, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr
    assert "is unmanaged: host hv-1 does not connect to its hypervisor" in stdout + stderr
