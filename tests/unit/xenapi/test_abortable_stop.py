"""A stop abandoned for a start, with the xenapi driver against a simulated XenServer whose
guest ignores clean shutdown, the compute API's compare-and-swap and a real database."""
import threading
import time

from godwit import seed
from godwit.compute import api as compute_api
from godwit.compute import power, states
from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.context import get_admin_context
from godwit.db import api as db
from tests.unit.xenapi.test_driver import _boot, hosts, one, xen_conf  # noqa: F401

IGNORE = "godwit_sim_ignore_shutdown"


class Recorded(ComputeAPI):
    def __init__(self):  # no transport: the test runs the worker's side itself
        self.casts = []

    def _cast(self, context, host, method, version="1.0", **kwargs):
        self.casts.append(method)


def _clean_shutdown_pending(driver):
    for _ in range(3000):
        if driver.xen.call("task.get_all"):
            return
        time.sleep(0.01)
    raise AssertionError("no clean shutdown was asked for")


def test_start_during_a_stop_the_guest_ignores(sqlite_db, one):  # noqa: F811
    CONF.set_override("shutdown_timeout", 600, group="compute")  # xen_conf clears it
    seed.ensure_defaults()
    flavor = db.flavor_get("1")
    instance = db.instance_create(dict(
        display_name="vm", project_id="p", user_id="u", flavorid=flavor.flavorid,
        flavor_name=flavor.name, image_ref=seed.DEFAULT_IMAGES[0][0], vcpus=1,
        memory_mb=512, root_gb=1, host=one.host, vm_state=states.ACTIVE,
        power_state=states.RUNNING, task_state=states.POWERING_OFF))
    _boot(one, instance)
    vm = one.xen.call("VM.get_by_name_label", instance.uuid)[0]
    one.xen.call("VM.add_to_other_config", vm, IGNORE, "true")
    api = compute_api.API.__new__(compute_api.API)
    api.compute_rpcapi = Recorded()

    stop = threading.Thread(target=power.run, args=(one, instance.uuid, states.POWERING_OFF))
    stop.start()
    _clean_shutdown_pending(one)
    api.start(get_admin_context(), instance.uuid)
    stop.join(timeout=30)
    assert not stop.is_alive()
    assert api.compute_rpcapi.casts == ["start_instance"]
    power.run(one, instance.uuid, states.POWERING_ON)

    current = db.instance_get(instance.uuid, details=True)
    assert (current.vm_state, current.task_state, current.power_state, current.faults) == (
        states.ACTIVE, None, states.RUNNING, [])
    assert one.xen.call("VM.get_power_state", vm) == "Running"
    assert one.xen.call("task.get_all") == []
