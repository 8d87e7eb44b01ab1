"""Stopping a server: graceful, abortable, forced. The compute API, a ComputeManager with
the fake driver and a real database; each cast runs at once in a thread of its own, as
the RPC server's executor runs it."""
import os
import threading
import time

import pytest

from godwit import exception, seed
from godwit.compute import api as compute_api
from godwit.compute import power, states
from godwit.compute.manager import ComputeManager
from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.context import get_admin_context
from godwit.db import api as db
from godwit.virt import fake

IMAGE = seed.DEFAULT_IMAGES[0][0]


class Threads(ComputeAPI):
    """Delivers every cast to the one worker at once, in a new thread (unless ``held``:
    then it only records it)."""

    def __init__(self, manager):  # no transport: nothing leaves this process
        self.manager = manager
        self.threads = []
        self.held = None

    def _cast(self, context, host, method, version="1.0", **kwargs):
        if self.held is not None:
            self.held.append(method)
            return
        thread = threading.Thread(target=getattr(self.manager, method), args=(context,),
                                  kwargs=kwargs)
        thread.start()
        self.threads.append(thread)

    def finish(self):
        """Waits for every cast; a worker still busy after 30 s is stuck (a failure)."""
        for thread in self.threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in self.threads)


@pytest.fixture
def cloud(sqlite_db):
    seed.ensure_defaults()
    CONF.set_override("shutdown_timeout", 600, group="compute")
    manager = ComputeManager("hv1", "fake")
    manager.init_host()
    manager.driver.poll_interval = 0.01
    api = compute_api.API.__new__(compute_api.API)
    api.compute_rpcapi = Threads(manager)
    yield api, manager.driver
    api.compute_rpcapi.finish()
    CONF.clear_override("shutdown_timeout", group="compute")


def _running(driver, shutdown_delay=0):
    """An ACTIVE instance on hv1 whose guest halts ``shutdown_delay`` s after being asked
    (None: never)."""
    flavor = db.flavor_get("1")
    instance = db.instance_create(dict(
        display_name="vm", project_id="p", user_id="u", flavorid=flavor.flavorid,
        flavor_name=flavor.name, image_ref=IMAGE, vcpus=1, memory_mb=512, root_gb=1,
        host="hv1", vm_state=states.ACTIVE, power_state=states.RUNNING))
    driver.spawn(instance, db.image_get(IMAGE))
    driver.set_guest_shutdown(instance.uuid, shutdown_delay)
    return instance


def _shutdown_pending(driver, instance):
    """Waits until the stop has asked the guest to shut down (and is waiting for it)."""
    path = os.path.join(driver.path, instance.uuid, fake.SHUTDOWN_REQUESTED)
    for _ in range(3000):
        if os.path.exists(path):
            return
        time.sleep(0.01)
    raise AssertionError("the stop never asked the guest to shut down")


def _seen(instance):
    """What a user sees of the instance: status, power state, task, faults."""
    current = db.instance_get(instance.uuid, details=True)
    return (states.status_of(current.vm_state, current.task_state),
            states.POWER_STATE_NAMES[current.power_state], current.task_state,
            [fault.message for fault in current.faults])


@pytest.mark.parametrize("hard", [None, False, True], ids=["start", "reboot", "reboot-hard"])
def test_start_or_reboot_during_a_graceful_stop_keeps_the_server_running(cloud, hard):
    api, driver = cloud
    instance = _running(driver, shutdown_delay=None)
    api.stop(get_admin_context(), instance.uuid)
    _shutdown_pending(driver, instance)
    assert _seen(instance)[2] == states.POWERING_OFF
    if hard is None:
        api.start(get_admin_context(), instance.uuid)
    else:
        api.reboot(get_admin_context(), instance.uuid, hard)
    api.compute_rpcapi.finish()
    assert _seen(instance) == ("ACTIVE", "Running", None, [])
    assert driver.get_power_state(instance) == states.RUNNING
    assert not driver.is_halted(instance)  # no shutdown request left behind


def test_a_guest_ignoring_the_shutdown_is_powered_off_after_the_timeout(cloud):
    api, driver = cloud
    CONF.set_override("shutdown_timeout", 0, group="compute")
    instance = _running(driver, shutdown_delay=None)
    api.stop(get_admin_context(), instance.uuid)
    api.compute_rpcapi.finish()
    assert _seen(instance) == ("SHUTOFF", "Shutdown", None, [])
    assert driver.get_power_state(instance) == states.SHUTDOWN


def test_a_slow_guest_shuts_down_cleanly_within_the_timeout(cloud):
    api, driver = cloud
    instance = _running(driver, shutdown_delay=0.05)
    api.stop(get_admin_context(), instance.uuid)
    api.compute_rpcapi.finish()
    assert _seen(instance) == ("SHUTOFF", "Shutdown", None, [])


def test_start_after_the_guest_halted_but_before_the_stop_noticed_starts_it(cloud):
    api, driver = cloud
    instance = _running(driver)
    db.instance_update(instance.uuid, {"task_state": states.POWERING_OFF})
    driver.hard_power_off(instance)  # the guest is down; the worker has not looked yet
    api.compute_rpcapi.held = []
    api.start(get_admin_context(), instance.uuid)
    assert api.compute_rpcapi.held == ["start_instance"]
    assert _seen(instance)[2] == states.POWERING_ON
    power.run(driver, instance.uuid, states.POWERING_OFF)  # the stop: nothing left to do
    power.run(driver, instance.uuid, states.POWERING_ON)
    assert _seen(instance) == ("ACTIVE", "Running", None, [])
    assert driver.get_power_state(instance) == states.RUNNING


def test_a_start_after_a_finished_stop_is_a_normal_start(cloud):
    api, driver = cloud
    instance = _running(driver)
    api.stop(get_admin_context(), instance.uuid)
    api.compute_rpcapi.finish()
    assert _seen(instance) == ("SHUTOFF", "Shutdown", None, [])
    api.start(get_admin_context(), instance.uuid)
    api.compute_rpcapi.finish()
    assert _seen(instance) == ("ACTIVE", "Running", None, [])


@pytest.mark.parametrize("task_state, request_", [
    (states.POWERING_OFF, "stop"),       # a stop does not interrupt itself
    (states.POWERING_OFF, "suspend"),
    (states.SUSPENDING, "start"),        # only a stop is abortable
    (states.REBOOTING, "start"),
])
def test_requests_that_do_not_interrupt_the_task_are_refused(cloud, task_state, request_):
    api, driver = cloud
    instance = _running(driver)
    db.instance_update(instance.uuid, {"task_state": task_state})
    with pytest.raises(exception.InstanceInvalidState):
        getattr(api, request_)(get_admin_context(), instance.uuid)
    assert db.instance_get(instance.uuid).task_state == task_state
    assert api.compute_rpcapi.threads == []
