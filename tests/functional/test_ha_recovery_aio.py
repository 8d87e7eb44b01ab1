"""HA recovery in an all-in-one cloud of fake hosts: a host's compute worker stops, the
monitor fences it through a virtual BMC over real IPMI, and its shared-storage server runs
on another host, on one host only; its local-storage server stays there in ERROR, with a
fault."""
import os
import time

import pytest

from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from godwit.ha import events, leases, vbmc

AIO_HOSTS = (3, 0)
AIO_OVERRIDES = {("compute_driver", "compute"): "fake",
                 ("monitor_interval", "ha"): 1,
                 ("saving_throws", "ha"): 1,
                 ("fence_intervals", "ha"): 2,
                 ("cache_refresh_interval", "scheduler"): 0}
PASSWORD = "bmc-secret"


def _service(aio, host):
    return next(svc for svc in aio.services
                if getattr(svc, "host", None) == host and svc.binary == "godwit-compute")


@pytest.fixture
def bmc(aio, tmp_path):
    """A virtual BMC for compute-2, recorded on its host row."""
    power = vbmc.PowerFile(str(tmp_path / "compute-2.power"))
    process, address = vbmc.spawn(power.path, PASSWORD)
    db.host_register("compute-2", {"ipmi_address": address, "ipmi_username": "admin",
                                   "ipmi_password": PASSWORD})
    yield power
    process.terminate()
    process.wait(10)


def _boot_on(cloud, user, host, name):
    with writer() as session:
        for row in session.query(models.Host):
            row.allocation_state = "Enabled" if row.name == host else "Disabled"
    server_id = user.create_server(name, image=cloud.image_id())
    user.wait_for_status(server_id, "ACTIVE", timeout=60)
    return server_id


def _wait(predicate, what, timeout=90):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_dead_hosts_shared_server_runs_elsewhere_after_a_confirmed_fence(aio, cloud, bmc):
    user = cloud.new_member()
    shared = _boot_on(cloud, user, "compute-2", "shared")
    local = _boot_on(cloud, user, "compute-2", "local")
    with writer() as session:
        for row in session.query(models.Host):
            row.allocation_state = "Enabled"
    db.instance_update(shared, {"storage_kind": "shared"})  # the fake driver's disks are local
    leases.acquire(shared, "shared", "compute-2")
    dead = _service(aio, "compute-2")
    dead_dir = dead.manager.driver.path
    dead.stop()

    _wait(lambda: db.instance_get(shared).host != "compute-2"
          and db.instance_get(shared).task_state is None, "the shared server never moved")
    moved = user.wait_for_status(shared, "ACTIVE")
    target = db.instance_get(shared).host
    assert target in ("compute-1", "compute-3")
    assert db.instance_get(shared).previous_host == "compute-2"
    assert db.host_get("compute-2").maintenance_state == "fenced"
    assert bmc.get() == "on"  # fenced: powered off, confirmed off, powered on again
    log = [e.event for e in events.list_events(host="compute-2")]
    assert log.index("fence-ok") < log.index("leases-broken") < log.index("recover-start")
    assert log.index("recover-start") < log.index("recover-ok")
    assert leases.holder(shared) == target
    target_dir = _service(aio, target).manager.driver.path
    assert os.path.isdir(os.path.join(target_dir, shared))
    assert not os.path.exists(os.path.join(dead_dir, shared))  # one host runs it, not two
    assert moved["status"] == "ACTIVE"

    stayed = user.wait_for_status(local, "ERROR")
    assert db.instance_get(local).host == "compute-2"
    assert "local storage" in stayed["fault"]["message"]
