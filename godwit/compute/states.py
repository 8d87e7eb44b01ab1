"""Instance states, migration statuses, and what may follow what, as data.

The API's server ``status`` is derived from (vm_state, task_state) by ``status_of``;
actions name the states they may start from and change state with a compare-and-swap in
SQL. Migration statuses move only along ``MIGRATION_TRANSITIONS``; ``check_transition``
refuses anything else loudly.
"""
from godwit import exception

# vm_state: what the instance is.
ACTIVE = "active"
BUILDING = "building"
STOPPED = "stopped"
ERROR = "error"
DELETED = "deleted"
RESIZED = "resized"
SUSPENDED_VM = "suspended"  # the guest's memory is saved to disk (power state SUSPENDED)

# task_state: what is being done to it (None when idle).
SCHEDULING = "scheduling"
SPAWNING = "spawning"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
REBOOTING = "rebooting"
REBOOTING_HARD = "rebooting_hard"
SUSPENDING = "suspending"
RESUMING = "resuming"
DELETING = "deleting"
RESIZE_PREP = "resize_prep"            # API asked for a destination; no migration row yet
RESIZE_MIGRATING = "resize_migrating"  # the source is copying disks
RESIZE_MIGRATED = "resize_migrated"    # disks copied; the destination builds the instance
RESIZE_REVERTING = "resize_reverting"
LIVE_MIGRATING_TASK = "migrating"      # a live migration inside the cluster is running
REBUILDING = "rebuilding"              # restarting on another host: its own one was fenced

MIGRATION_TASKS = frozenset({RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED,
                             RESIZE_REVERTING})

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
              DELETED: "DELETED", RESIZED: "VERIFY_RESIZE", SUSPENDED_VM: "SUSPENDED"}
_TASK_STATUS = {
    (ACTIVE, REBOOTING): "REBOOT",
    (ACTIVE, REBOOTING_HARD): "HARD_REBOOT",
    (STOPPED, REBOOTING): "REBOOT",
    (STOPPED, REBOOTING_HARD): "HARD_REBOOT",
    (ERROR, REBOOTING_HARD): "HARD_REBOOT",
    **{(vm, task): "RESIZE" for vm in (ACTIVE, STOPPED)
       for task in (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED)},
    (RESIZED, RESIZE_REVERTING): "REVERT_RESIZE",
    (ACTIVE, RESIZE_REVERTING): "REVERT_RESIZE",
    (STOPPED, RESIZE_REVERTING): "REVERT_RESIZE",
    (ACTIVE, LIVE_MIGRATING_TASK): "MIGRATING",
    **{(vm, REBUILDING): "REBUILD" for vm in (ACTIVE, STOPPED, ERROR)},
}


def status_of(vm_state, task_state):
    return _TASK_STATUS.get((vm_state, task_state), _VM_STATUS.get(vm_state, "UNKNOWN"))


class Action:
    """An action an instance can take: the states it may start from, the task it sets, and
    the tasks in progress it may take over (``interrupts``: the worker running such a task
    polls the database and gives up once the task state is no longer its own)."""

    def __init__(self, name, vm_states, task_state, interrupts=()):
        self.name = name
        self.vm_states = frozenset(vm_states)
        self.task_state = task_state
        self.interrupts = frozenset(interrupts)


# A graceful stop is abortable: asking for the instance to run again (start, reboot) while
# its guest is still shutting down abandons the shutdown (see godwit.compute.power).
START = Action("start", [STOPPED], POWERING_ON, interrupts=[POWERING_OFF])
STOP = Action("stop", [ACTIVE, ERROR], POWERING_OFF)
REBOOT_SOFT = Action("reboot", [ACTIVE], REBOOTING, interrupts=[POWERING_OFF])
REBOOT_HARD = Action("reboot", [ACTIVE, STOPPED, ERROR], REBOOTING_HARD,
                     interrupts=[POWERING_OFF])
SUSPEND = Action("suspend", [ACTIVE], SUSPENDING)
RESUME = Action("resume", [SUSPENDED_VM], RESUMING)
MIGRATE = Action("migrate", [ACTIVE, STOPPED], RESIZE_PREP)
RESIZE = Action("resize", [ACTIVE, STOPPED], RESIZE_PREP)
REVERT_RESIZE = Action("revertResize", [RESIZED], RESIZE_REVERTING)
LIVE_MIGRATE = Action("live-migrate", [ACTIVE], LIVE_MIGRATING_TASK)

# --- migrations ---------------------------------------------------------------------------
# A migration's ``status`` says how far the protocol got; ``outcome`` records a decision
# taken by someone else (a user confirms or reverts, an admin cancels, a step fails) that
# the host in ``next_step_host`` still has to carry out.

# migration_type, as Nova names them: a resize changes the flavor, a cold migration does not.
RESIZE_MIGRATION = "resize"
COLD_MIGRATION = "migration"
LIVE_MIGRATION = "live-migration"
EVACUATION = "evacuation"  # recovery from a fenced host (one step, as a live migration)
MIGRATION_TYPES = (COLD_MIGRATION, RESIZE_MIGRATION, LIVE_MIGRATION, EVACUATION)

PRE_MIGRATING = "pre-migrating"
MIGRATING = "migrating"
MIGRATING_STEP2 = "migrating_step2"
POST_MIGRATING = "post-migrating"
VERIFY_MIGRATION = "verify-migration"
REVERTED = "reverted"
FINISHED = "finished"
MIGRATION_ERROR = "error"
CANCELLED = "cancelled"
# A live migration has one step, run by the source: ``running`` until it ends, finished
# (the instance runs on the destination) or error (it still runs on the source).
LIVE_RUNNING = "running"

CONFIRMED = "confirmed"
REVERT = "reverted"
CANCEL = "cancelled"
FAILED = "failed"

MIGRATION_STATUSES = (PRE_MIGRATING, MIGRATING, MIGRATING_STEP2, POST_MIGRATING,
                      VERIFY_MIGRATION, REVERTED, FINISHED, MIGRATION_ERROR, CANCELLED,
                      LIVE_RUNNING)
TERMINAL = frozenset({FINISHED, MIGRATION_ERROR, CANCELLED})
# Statuses before the destination owns the instance: an admin may still cancel.
CANCELLABLE = frozenset({PRE_MIGRATING, MIGRATING, MIGRATING_STEP2})

MIGRATION_TRANSITIONS = {
    PRE_MIGRATING: {MIGRATING, MIGRATION_ERROR, CANCELLED},
    MIGRATING: {MIGRATING_STEP2, MIGRATION_ERROR, CANCELLED},
    MIGRATING_STEP2: {POST_MIGRATING, MIGRATION_ERROR, CANCELLED},
    POST_MIGRATING: {VERIFY_MIGRATION, MIGRATION_ERROR},
    VERIFY_MIGRATION: {FINISHED, REVERTED, MIGRATION_ERROR},
    REVERTED: {FINISHED, MIGRATION_ERROR},
    FINISHED: set(),
    MIGRATION_ERROR: set(),
    CANCELLED: set(),
    LIVE_RUNNING: {FINISHED, MIGRATION_ERROR},
}


def check_transition(current, new):
    """Raises InvalidMigrationTransition unless ``current`` may be followed by ``new``."""
    if new not in MIGRATION_TRANSITIONS.get(current, ()):
        raise exception.InvalidMigrationTransition(current=current, new=new)
