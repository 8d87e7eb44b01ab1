"""Start, stop, reboot, suspend and resume on this host.

The API has already moved the instance into the action's task state; this finishes the
action and clears the task state, or clears it and records a fault if the driver failed.

A stop is graceful, abortable and forced (doc/operations.md). The guest is asked to shut
down; the worker then polls, every ``driver.poll_interval``, the hypervisor (has it
halted?) and the database (is the instance still ``powering-off``?). After
``[compute] shutdown_timeout`` the VM is halted hard. A start or reboot asked for
meanwhile (``states.Action.interrupts``) is a compare-and-swap by the API from
``powering-off`` to its own task state, so the database says the stop is over: at its
next poll the stop abandons the clean shutdown and returns without touching the row.
The start's cast waits on the per-instance lock held by the stop (see the manager) for
at most that one poll, then runs as any start does: it powers the VM on if the guest
halted meanwhile, and finds it running otherwise. Only one worker thread acts on the VM
at a time, and neither the stop nor the start writes the row unless its own task state
is still there.
"""
from oslo_log import log as logging

from godwit import exception
from godwit.compute import firewall, states
from godwit.conf import CONF
from godwit.db import api as db
from godwit.ha import leases

LOG = logging.getLogger(__name__)


class _Interrupted(Exception):
    """Another action took the instance over while this one waited for the guest."""


def _stop(driver, instance):
    if not driver.shut_down(instance, CONF.compute.shutdown_timeout,
                            keep_waiting=lambda: _still(instance.uuid, states.POWERING_OFF)):
        raise _Interrupted


def _still(instance_uuid, task_state):
    try:
        return db.instance_get(instance_uuid).task_state == task_state
    except exception.InstanceNotFound:
        return False


# action task_state -> (driver call, vm_state after, power_state after)
_OUTCOMES = {
    states.POWERING_ON: (lambda driver, inst: driver.power_on(inst), states.ACTIVE,
                         states.RUNNING),
    states.POWERING_OFF: (_stop, states.STOPPED, states.SHUTDOWN),
    states.REBOOTING: (lambda driver, inst: driver.reboot(inst, hard=False), states.ACTIVE,
                       states.RUNNING),
    states.REBOOTING_HARD: (lambda driver, inst: driver.reboot(inst, hard=True), states.ACTIVE,
                            states.RUNNING),
    states.SUSPENDING: (lambda driver, inst: driver.suspend(inst), states.SUSPENDED_VM,
                        states.SUSPENDED),
    states.RESUMING: (lambda driver, inst: driver.resume(inst), states.ACTIVE, states.RUNNING),
}


def run(driver, instance_uuid, task_state):
    instance = db.instance_get(instance_uuid)
    if instance.task_state != task_state:
        LOG.info("Instance %s is no longer %s; nothing to do", instance_uuid, task_state)
        return
    call, vm_state, power_state = _OUTCOMES[task_state]
    try:
        if power_state == states.RUNNING:  # the VM runs here after: its disks must be ours
            leases.acquire(instance.uuid, instance.storage_kind, driver.host)
        call(driver, instance)
    except _Interrupted:
        LOG.info("Instance %s: %s abandoned for a newer request", instance_uuid, task_state)
        return
    except Exception as err:  # noqa: BLE001 - the instance stays as it was, with a fault
        LOG.exception("%s failed for instance %s", task_state, instance_uuid)
        db.instance_update(instance_uuid, {"task_state": None},
                           expected={"task_state": task_state})
        db.instance_add_fault(instance_uuid, 500, f"{task_state} failed: {err}")
        return
    db.instance_update(instance_uuid, {"vm_state": vm_state, "power_state": power_state,
                                       "task_state": None},
                       expected={"task_state": task_state})
    firewall.sync(driver, instance_uuid)
