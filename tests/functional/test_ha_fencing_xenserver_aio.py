"""End to end, as in ``make run``: compute-3 and compute-4 form a simulated XenServer pool
with a shared SR, every host has a virtual BMC. Powering compute-3 off through its BMC
(real IPMI) gets its server running on compute-4 after a confirmed fence, on one host only;
compute-3 stays fenced."""
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


def _running_copies(xenapi, server_id):
    """(host name) of each running VM of the server, in the pool's database."""
    return [xenapi.host.get_name_label(xenapi.VM.get_resident_on(vm))
            for vm in xenapi.VM.get_by_name_label(server_id)
            if xenapi.VM.get_power_state(vm) == "Running"]


def test_powering_a_pool_host_off_recovers_its_server_on_the_other(aio, cloud, xenapi):
    user = cloud.new_member()
    _only_hosts(["compute-3"])
    server_id = user.create_server("ha-vm", image=cloud.image_id())
    user.wait_for_status(server_id, "ACTIVE", timeout=60)
    _only_hosts(["compute-1", "compute-2", "compute-3", "compute-4"])
    assert db.instance_get(server_id).storage_kind == "shared"
    assert _running_copies(xenapi, server_id) == ["compute-3"]

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
