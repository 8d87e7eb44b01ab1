"""Instance states and what each action may start from, as data.

The API's server ``status`` is derived from (vm_state, task_state) by ``status_of``;
actions check ``ALLOWED`` and change state with a compare-and-swap in SQL.
"""

# vm_state: what the instance is.
ACTIVE = "active"
BUILDING = "building"
STOPPED = "stopped"
ERROR = "error"
DELETED = "deleted"
RESIZED = "resized"

# task_state: what is being done to it (None when idle).
SCHEDULING = "scheduling"
SPAWNING = "spawning"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
REBOOTING = "rebooting"
REBOOTING_HARD = "rebooting_hard"
DELETING = "deleting"

# power_state: what the hypervisor reports (Nova's numbers).
NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED = 7

POWER_STATE_NAMES = {NOSTATE: "NOSTATE", RUNNING: "Running", PAUSED: "Paused",
                     SHUTDOWN: "Shutdown", CRASHED: "Crashed", SUSPENDED: "Suspended"}

# (vm_state, task_state) -> API status; a task_state missing here falls back to vm_state's.
_VM_STATUS = {ACTIVE: "ACTIVE", BUILDING: "BUILD", STOPPED: "SHUTOFF", ERROR: "ERROR",
              DELETED: "DELETED", RESIZED: "VERIFY_RESIZE"}
_TASK_STATUS = {
    (ACTIVE, REBOOTING): "REBOOT",
    (ACTIVE, REBOOTING_HARD): "HARD_REBOOT",
    (STOPPED, REBOOTING): "REBOOT",
    (STOPPED, REBOOTING_HARD): "HARD_REBOOT",
    (ERROR, REBOOTING_HARD): "HARD_REBOOT",
}


def status_of(vm_state, task_state):
    return _TASK_STATUS.get((vm_state, task_state), _VM_STATUS.get(vm_state, "UNKNOWN"))


class Action:
    """An action an instance can take: the states it may start from and the task it sets."""

    def __init__(self, name, vm_states, task_state):
        self.name = name
        self.vm_states = frozenset(vm_states)
        self.task_state = task_state


START = Action("start", [STOPPED], POWERING_ON)
STOP = Action("stop", [ACTIVE, ERROR], POWERING_OFF)
REBOOT_SOFT = Action("reboot", [ACTIVE], REBOOTING)
REBOOT_HARD = Action("reboot", [ACTIVE, STOPPED, ERROR], REBOOTING_HARD)
