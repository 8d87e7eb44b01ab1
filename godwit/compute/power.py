"""Start, stop, reboot, suspend and resume on this host.

The API has already moved the instance into the action's task state; this finishes the
action and clears the task state, or clears it and records a fault if the driver failed.
"""
from oslo_log import log as logging

from godwit.compute import firewall, states
from godwit.db import api as db

LOG = logging.getLogger(__name__)

# action task_state -> (driver call, vm_state after, power_state after)
_OUTCOMES = {
    states.POWERING_ON: (lambda driver, inst: driver.power_on(inst), states.ACTIVE,
                         states.RUNNING),
    states.POWERING_OFF: (lambda driver, inst: driver.power_off(inst), states.STOPPED,
                          states.SHUTDOWN),
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
        call(driver, instance)
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
