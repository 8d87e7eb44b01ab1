"""``godwit-aio`` as ``make run`` starts it: simulated XenServer hosts by default, the fake
driver on request, and a banner telling how to use the cloud."""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests import services
from tests.cloud import Cloud

BIN = os.path.dirname(sys.executable)


def _run_aio(tmp_path, *args):
    """Starts godwit-aio on a free port; returns (process, banner, cloud)."""
    port = services.free_port()
    data_dir = str(tmp_path / "data")
    manage = subprocess.run([os.path.join(BIN, "godwit-manage"), "--data-dir", data_dir,
                             "db", "sync"], capture_output=True, text=True, timeout=120)
    assert manage.returncode == 0, manage.stderr
    log = open(tmp_path / "aio.log", "w+")
    process = subprocess.Popen([os.path.join(BIN, "godwit-aio"), "--data-dir", data_dir,
                                "--port", str(port), "--hosts", "2", *args],
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while "Press Ctrl-C to stop." not in open(log.name).read():
        assert process.poll() is None, open(log.name).read()
        assert time.monotonic() < deadline, open(log.name).read()
        time.sleep(0.2)
    cloud = Cloud(f"http://127.0.0.1:{port}", os.path.join(data_dir, "clouds.yaml"))
    return process, open(log.name).read(), cloud


def _stop(process):
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0


def _hypervisors(cloud):
    deadline = time.monotonic() + 30
    while True:
        try:
            found = cloud.admin().get("/v2.1/os-hypervisors/detail").json()["hypervisors"]
            if len(found) == 2:
                return found
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline
        time.sleep(0.2)


@pytest.mark.parametrize("args, kind, hypervisor_type", [
    ((), "XenServer", "xen"), (("--driver", "fake"), "fake", "fake")])
def test_godwit_aio_starts_the_hosts_and_prints_how_to_use_them(tmp_path, args, kind,
                                                              hypervisor_type):
    process, banner, cloud = _run_aio(tmp_path, *args)
    try:
        assert f"2 {kind} hosts" in banner
        assert "openstack --os-cloud godwit-demo server create" in banner
        hypervisors = _hypervisors(cloud)
        assert {h["hypervisor_type"] for h in hypervisors} == {hypervisor_type}
        assert {h["state"] for h in hypervisors} == {"up"}
    finally:
        _stop(process)
    if kind == "XenServer":
        assert sorted(os.listdir(tmp_path / "data" / "xenserver")) == ["compute-1", "compute-2"]
