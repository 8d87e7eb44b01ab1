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
    """Starts godwit-aio on a free port, from ``tmp_path`` with ``--data-dir data`` as
    ``make run`` does; returns (process, banner, cloud)."""
    port = services.free_port()
    manage = subprocess.run([os.path.join(BIN, "godwit-manage"), "--data-dir", "data",
                             "db", "sync"], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert manage.returncode == 0, manage.stderr
    log = open(tmp_path / "aio.log", "w+")
    process = subprocess.Popen([os.path.join(BIN, "godwit-aio"), "--data-dir", "data",
                                "--port", str(port), "--hosts", "2", *args],
                               stdout=log, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while "Press Ctrl-C to stop." not in open(log.name).read():
        assert process.poll() is None, open(log.name).read()
        assert time.monotonic() < deadline, open(log.name).read()
        time.sleep(0.2)
    cloud = Cloud(f"http://127.0.0.1:{port}", str(tmp_path / "data" / "clouds.yaml"))
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


def _resize_and_confirm(cloud):
    """What the banner suggests: a server resized to the other host, then confirmed."""
    demo = cloud.demo()
    server_id = demo.create_server("vm1", image=cloud.image_id())
    demo.wait_for_status(server_id, "ACTIVE", timeout=60)
    assert demo.post(f"/v2.1/servers/{server_id}/action",
                     json={"resize": {"flavorRef": "2"}}).status_code == 202
    demo.wait_for_status(server_id, "VERIFY_RESIZE", timeout=60)
    assert demo.post(f"/v2.1/servers/{server_id}/action",
                     json={"confirmResize": None}).status_code == 204
    server = demo.wait_for_status(server_id, "ACTIVE", timeout=60)
    assert server["flavor"]["original_name"] == "m1.small"


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
        _resize_and_confirm(cloud)
    finally:
        _stop(process)
    if kind == "XenServer":
        xenserver = tmp_path / "data" / "xenserver"
        assert sorted(os.listdir(xenserver)) == ["compute-1", "compute-2", "staging"]
        assert os.listdir(xenserver / "staging") == []  # the migration's files moved on
