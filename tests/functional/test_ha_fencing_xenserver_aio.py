"""End to end, as in ``make run``: compute-3 and compute-4 form a simulated XenServer pool
with a shared SR, every host has a virtual BMC. Powering compute-3 off through its BMC
(real IPMI) gets its server running on compute-4 after a confirmed fence, on one host only;
the fence powers compute-3 on again, so a new compute worker heartbeats there, but the host
stays fenced until an admin unfences it; an unflush then brings the server home."""
import time

import pytest
import XenAPI

from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from godwit.ha import events, lab

AIO_HOSTS = (4, 2)
AIO_BMCS = True
AIO_OVERRIDES = {("compute_driver", "compute"): "xenapi",
                 ("task_poll_interval", "xenserver"): 0.05,
                 ("cache_refresh_interval", "scheduler"): 0,
                 ("monitor_interval", "ha"): 1,
                 ("saving_throws", "ha"): 1,
                 ("fence_intervals", "ha"): 2}


@pytest.fixture(scope="module")
def xenapi(aio):
    session = XenAPI.Session(CONF.xenserver.connection_urls["compute-4"])
    session.login_with_password(CONF.xenserver.connection_username,
                                CONF.xenserver.connection_password, "2.21", "tests")
    yield session.xenapi


def _only_hosts(names):
    with writer() as session:
        for host in session.query(models.Host):
            host.allocation_state = "Enabled" if host.name in names else "Disabled"


def _wait(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _compute_service(admin, host):
    (service,) = admin.get("/v2.1/os-services", params={
        "host": host, "binary": "godwit-compute"}).json()["services"]
    return service


def _running_copies(xenapi, server_id):
    """(host name) of each running VM of the server, in the pool's database."""
    return [xenapi.host.get_name_label(xenapi.VM.get_resident_on(vm))
            for vm in xenapi.VM.get_by_name_label(server_id)
            if xenapi.VM.get_power_state(vm) == "Running"]


def test_a_pool_host_powered_off_is_recovered_elsewhere_then_brought_back_home(aio, cloud, xenapi):
    user = cloud.new_member()
    _only_hosts(["compute-3"])
    server_id = user.create_server("ha-vm", image=cloud.image_id())
    user.wait_for_status(server_id, "ACTIVE", timeout=60)
    _only_hosts(["compute-1", "compute-2", "compute-3", "compute-4"])
    assert db.instance_get(server_id).storage_kind == "shared"
    assert _running_copies(xenapi, server_id) == ["compute-3"]

    (compute_3,) = [svc for svc in aio.services if getattr(svc, "host", None) == "compute-3"]
    first_worker = compute_3.worker
    lab.main(["power-off", "compute-3", "--data-dir", CONF.data_dir])

    _wait(lambda: db.instance_get(server_id).host == "compute-4"
          and db.instance_get(server_id).task_state is None, "never recovered")
    server = user.wait_for_status(server_id, "ACTIVE")
    assert server["status"] == "ACTIVE"
    assert _running_copies(xenapi, server_id) == ["compute-4"]
    assert db.host_get("compute-3").maintenance_state == "fenced"
    log = [e.event for e in events.list_events(host="compute-3")]
    assert log.index("suspect") < log.index("fence-ok") < log.index("recover-ok")
    assert "fence-failed" not in log
    instance = db.instance_get(server_id)
    assert instance.previous_host == "compute-3"
    assert _running_copies(xenapi, server_id) == ["compute-4"]

    fenced_at = next(e.created_at for e in events.list_events(host="compute-3")
                     if e.event == "fence-ok")
    _wait(lambda: db.service_list(host="compute-3")[0].last_seen_up > fenced_at,
          "compute-3's worker never came back")
    assert _compute_service(cloud.admin(), "compute-3")["state"] == "up"
    assert compute_3.worker is not first_worker
    _back_home_once_unfenced(cloud.admin(), xenapi, server_id)


def _back_home_once_unfenced(admin, xenapi, server_id):
    """The operator's path once the fence powered compute-3 on again and its worker is up."""
    assert db.host_get("compute-3").maintenance_state == "fenced"
    assert admin.post("/admin/v1/hosts/compute-3/unflush", json={}).status_code == 409

    resp = admin.post("/admin/v1/hosts/compute-3/unfence", json={})
    assert resp.status_code == 200, resp.text
    assert db.host_get("compute-3").maintenance_state == "ready"
    resp = admin.post("/admin/v1/hosts/compute-3/unflush", json={})
    assert resp.status_code == 202, resp.text
    _wait(lambda: (admin.get("/admin/v1/hosts/compute-3/flush").json()["flush"] or {})
          .get("finished"), "the unflush never finished")

    vm = admin.get(f"/admin/v1/vms/{server_id}").json()["vm"]
    assert (vm["host"], vm["status"], vm["previous_host"]) == ("compute-3", "ACTIVE", None)
    assert _running_copies(xenapi, server_id) == ["compute-3"]
    assert admin.get("/admin/v1/hosts/compute-3/flush").json()["maintenance_state"] == "ready"
