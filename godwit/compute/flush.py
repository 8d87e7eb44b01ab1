"""Flush and unflush of a host: every check and step in one place (doc/ha.md).

    request   (API) the host, unless fenced, moves to ``flushing`` (or ``unflushing``) and
              its ``host_flushes`` row gets the next generation, in one transaction; then
              the host's compute worker is told (cast ``run_host_flush``)
    flush     the plan: every instance of the host with a target (``targets.choose_many``,
              the same call a dry run makes) and a method (its ``migration_method``, else
              ``[ha] default_migration_method``). At most ``concurrency`` moves at a time:
              live -> live migration; shutdown -> cold migration, confirmed when it reaches
              verify (a running instance runs again on the target); none, or no target ->
              the instance is shut down where it is, marked ``autostart`` and listed in
              the row's ``stopped`` (which requests carry over). The moves
              start while the host is ``flushing``, so they are automatic: the moved
              instance's ``previous_host`` becomes the host unless it had one
              (``godwit.compute.homes``). Instances that arrived meanwhile (a build the
              scheduler placed just before it saw the host flushing) are planned in a
              further round. Then the host is ``flushed``.
    unflush   every instance whose ``previous_host`` is the host comes back (same methods;
              arriving home clears ``previous_host``), the ``stopped`` instances still
              marked ``autostart`` start (and the mark is cleared); then ``ready``.
    cancel    a new request bumps the generation: the running runner starts no further
              move, and the new one begins once the moves in flight have ended.

Where it runs: the flushed host's own compute worker. It is up (a flush needs it: it is
the source of every move away), the moves' own steps run on the workers as usual, and one
worker per host means one runner per host. The runner only asks the compute API and reads
the database; the row is the truth, so the worker's periodic task (``resume``) starts a
runner for a flush that a restart interrupted, and the plan is made again from where the
instances are now.
"""
import collections
import concurrent.futures
import threading
import time

from oslo_log import log as logging

from godwit import context, exception
from godwit.compute import homes, live_migration, states, targets
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import flushes, hierarchy, models

LOG = logging.getLogger(__name__)

FLUSH, UNFLUSH = "flush", "unflush"
LIVE, SHUTDOWN, NONE = "live", "shutdown", "none"
READY, FLUSHING, FLUSHED, UNFLUSHING = "ready", "flushing", "flushed", "unflushing"
# kind -> (the host's state while it runs, when it is done)
_HOST_STATES = {FLUSH: (FLUSHING, FLUSHED), UNFLUSH: (UNFLUSHING, READY)}
# A fenced host is the HA monitor's; nothing else may be asked of it.
_REQUESTABLE = (READY, FLUSHING, FLUSHED, UNFLUSHING)
_POLL_SECONDS = 0.1

# One instance's part of a plan: ``target`` None means it stays, ``reason`` says why.
Step = collections.namedtuple("Step", "instance target method reason")


class _MoveFailed(Exception):
    """One instance's move did not end where the flush wanted it; the message says why."""


# --- API side: request, plan, status --------------------------------------------------------

def request(host, kind, concurrency=None):
    """Records a flush or unflush of ``host`` (a name); 409 if the host is fenced.
    Returns the new ``host_flushes`` row."""
    row = flushes.begin(host, kind, concurrency or CONF.ha.flush_concurrency,
                        _HOST_STATES[kind][0], _REQUESTABLE)
    if row is None:
        state = db.host_get(host).maintenance_state
        raise exception.Conflict(f"Host {host} cannot be {kind}ed: it is {state}; only a "
                                 f"host in state {', '.join(_REQUESTABLE)} can.")
    return row


def plan(host):
    """What a flush of ``host`` would do now: a Step per instance of the host."""
    instances = sorted(db.instance_list(filters={"host": host}), key=lambda inst: inst.id)
    methods = {inst.uuid: method_of(inst) for inst in instances}
    chosen = {}
    for method in (LIVE, SHUTDOWN):
        group = [inst for inst in instances if methods[inst.uuid] == method]
        chosen.update((inst.uuid, target) for inst, target in targets.choose_many(
            group, live=method == LIVE, needs_disk=method == SHUTDOWN))
    steps = []
    for instance in instances:
        method, target = methods[instance.uuid], chosen.get(instance.uuid)
        if method == NONE:
            steps.append(Step(instance, None, NONE, "its migration_method is none"))
        elif isinstance(target, targets.NoTarget):
            steps.append(Step(instance, None, method, target.message))
        else:
            steps.append(Step(instance, target, method, None))
    return steps


def _unflush_plan(host):
    """The instances away from ``host`` that come back to it, as Steps."""
    away = sorted((inst for inst in db.instance_list(filters={"previous_host": host})
                   if inst.host not in (None, host)), key=lambda inst: inst.id)
    steps = []
    for instance in away:
        method = method_of(instance, host)
        steps.append(Step(instance, None, NONE, "its migration_method is none")
                     if method == NONE else Step(instance, host, method, None))
    return steps


def method_of(instance, target=None):
    """How a flush moves the instance (to ``target``, when it is known already): its own
    method, else the configured default; a live migration only for an instance that can
    have one (running, on shared storage in a XenServer pool, and ``target`` in its
    cluster), else a cold migration."""
    method = instance.migration_method or CONF.ha.default_migration_method
    if method in ("auto", LIVE):
        return LIVE if _can_live_migrate(instance, target) else SHUTDOWN
    return method


def _can_live_migrate(instance, target):
    if instance.power_state != states.RUNNING:
        return False
    try:
        live_migration.check_movable(instance)
    except exception.GodwitException:
        return False
    return target is None or _same_cluster(instance.host, target)


def _same_cluster(host, other):
    cluster, other_cluster = hierarchy.cluster_of_host(host), hierarchy.cluster_of_host(other)
    return cluster is not None and other_cluster is not None and cluster.id == other_cluster.id


def status(host):
    """The host's maintenance state and its last flush's progress (None if it had none)."""
    return db.host_get(host).maintenance_state, flushes.get(host)


# --- the compute worker: runners ----------------------------------------------------------

_runners = {}
_runners_guard = threading.Lock()


def resume(manager, compute_api):
    """Starts a runner for the host's unfinished flush unless one of that generation runs
    already (at start, on the cast, and periodically: a restart loses nothing)."""
    row = flushes.get(manager.host)
    if row is None or row.finished_at is not None:
        return
    with _runners_guard:
        previous = _runners.get(manager.host)
        if previous is not None and previous.generation == row.generation and \
                previous.is_alive():
            return
        runner = _Runner(manager.host, row, compute_api, previous)
        _runners[manager.host] = runner
    runner.start()


class _Runner(threading.Thread):
    """One flush or unflush of one generation; it stops starting moves once cancelled."""

    def __init__(self, host, row, compute_api, previous):
        super().__init__(name=f"{row.kind}-{host}-{row.generation}", daemon=True)
        self.host, self.kind, self.generation = host, row.kind, row.generation
        self.concurrency, self.requested_at = row.concurrency, row.updated_at or row.created_at
        self.compute_api = compute_api
        self.context = context.get_admin_context()
        self.previous = previous
        self.lock = threading.Lock()
        self.progress = {"done": 0, "current": [], "failures": [],
                         "stopped": list(row.stopped)}

    def run(self):
        if self.previous is not None:
            self.previous.join()  # the moves in flight of the request this one cancelled
        try:
            self._run()
        except Exception:  # noqa: BLE001 - the periodic resume tries again
            LOG.exception("%s of host %s failed; it will be resumed", self.kind, self.host)

    def _run(self):
        """Plans and moves in rounds: a round plans only the instances no earlier round
        handled (a build the scheduler placed here just before it saw the host flushing,
        say), and the last round finds none."""
        if self.kind == UNFLUSH:
            _after_scheduler_sees(self.requested_at)
        handled = set()
        while self._current():
            steps = [step for step in (plan(self.host) if self.kind == FLUSH
                                       else _unflush_plan(self.host))
                     if step.instance.uuid not in handled]
            if not steps or not self._record(total=len(handled) + len(steps)):
                break
            handled.update(step.instance.uuid for step in steps)
            LOG.info("%s of host %s: %d instance(s), %d at a time", self.kind, self.host,
                     len(steps), self.concurrency)
            with concurrent.futures.ThreadPoolExecutor(self.concurrency) as pool:
                list(pool.map(self._step, steps))
        if self.kind == UNFLUSH and self._current():
            self._start_autostart()
        if flushes.finish(self.host, self.generation, *_HOST_STATES[self.kind]):
            LOG.info("%s of host %s done: %s", self.kind, self.host, self.progress)

    def _current(self):
        """Whether this runner's request is still the host's last one."""
        row = flushes.get(self.host)
        return row is not None and row.generation == self.generation

    def _record(self, **values):
        """Writes the progress (and ``values``); False once a newer request replaced it."""
        with self.lock:
            snapshot = {key: list(value) if isinstance(value, list) else value
                        for key, value in self.progress.items()}
            return flushes.update_progress(self.host, self.generation,
                                           dict(snapshot, **values))

    def _step(self, step):
        if not self._current():
            return
        entry = {"instance": step.instance.uuid, "target": step.target,
                 "method": step.method}
        with self.lock:
            self.progress["current"].append(entry)
        self._record()
        try:
            self._perform(step)
        except (_MoveFailed, exception.GodwitException) as err:
            LOG.warning("%s of host %s: instance %s: %s", self.kind, self.host,
                        step.instance.uuid, err)
            with self.lock:
                self.progress["failures"].append({"instance": step.instance.uuid,
                                                  "reason": str(err)})
        with self.lock:
            self.progress["current"].remove(entry)
            self.progress["done"] += 1
        self._record()

    def _perform(self, step):
        if step.target is None:
            if self.kind == UNFLUSH:
                raise _MoveFailed(f"not brought back to {self.host}: {step.reason}")
            self._stop_here(step)
            return
        if step.method == LIVE:
            self._live_migrate(step.instance, step.target)
        else:
            self._cold_migrate(step.instance, step.target)
        if self.kind == FLUSH:
            # A move begun before a newer request took the host out of flushing is
            # recorded as forced; it was the flush's all the same.
            homes.moved_away(step.instance.uuid, self.host)

    # --- the moves ---------------------------------------------------------------------------

    def _live_migrate(self, instance, target):
        migration = self.compute_api.live_migrate(self.context, instance.uuid, target)
        ended = _wait(lambda: _terminal(migration.uuid), f"live migration to {target}")
        if ended.status != states.FINISHED:
            raise _MoveFailed(ended.error or f"live migration to {target} ended {ended.status}")

    def _cold_migrate(self, instance, target):
        self.compute_api.migrate(self.context, instance.uuid, host=target)
        _wait(lambda: self._confirmed_or_done(instance.uuid), f"cold migration to {target}")
        moved = db.instance_get(instance.uuid)
        if moved.host != target:
            last = db.migration_list(filters={"instance_uuid": instance.uuid}, limit=1)
            why = last[0].error if last and last[0].error else "the migration did not end there"
            raise _MoveFailed(f"cold migration to {target} failed: {why}")

    def _confirmed_or_done(self, instance_uuid):
        """Confirms the migration once it waits in verify; True when it has ended."""
        migration = db.migration_open_for_instance(instance_uuid)
        if migration is None:
            return db.instance_get(instance_uuid).task_state is None
        if migration.status == states.VERIFY_MIGRATION and migration.outcome is None:
            try:
                self.compute_api.confirm_resize(self.context, instance_uuid)
            except exception.Conflict:
                pass  # confirmed meanwhile (the confirm window, an admin)
        return False

    def _stop_here(self, step):
        """No move: a running instance is shut down and marked to start on unflush."""
        instance = step.instance
        if instance.vm_state != states.ACTIVE:
            return
        self.compute_api.stop(self.context, instance.uuid)
        _wait(lambda: _idle(instance.uuid), "shutdown")
        db.instance_update(instance.uuid, {"autostart": True})
        db.instance_add_fault(instance.uuid, 409, f"Shut down by the flush of host "
                                                  f"{self.host}: {step.reason}.")
        with self.lock:
            self.progress["stopped"].append(instance.uuid)

    def _start_autostart(self):
        """The instances the flushes shut down start again, if they are still here,
        stopped and marked ``autostart`` (an admin may have unmarked one meanwhile); the
        mark is cleared. A server its user stopped is left alone."""
        stopped, self.progress["stopped"] = self.progress["stopped"], []
        for instance in db.instance_list(filters={"host": self.host,
                                                  "vm_state": states.STOPPED}):
            if instance.uuid not in stopped or not instance.autostart:
                continue
            try:
                self.compute_api.start(self.context, instance.uuid)
                _wait(lambda uuid=instance.uuid: _idle(uuid), "start")
            except (_MoveFailed, exception.GodwitException) as err:
                with self.lock:
                    self.progress["failures"].append({"instance": instance.uuid,
                                                      "reason": f"not started: {err}"})
                continue
            db.instance_update(instance.uuid, {"autostart": False})
        self._record()


def _after_scheduler_sees(requested_at):
    """Returns once the scheduler, which re-reads hosts every ``cache_refresh_interval``
    seconds, knows the host is unflushing: until then it refuses it the instances coming
    back."""
    waited = (models.utcnow() - requested_at).total_seconds()
    if waited < CONF.scheduler.cache_refresh_interval:
        time.sleep(CONF.scheduler.cache_refresh_interval - waited)


def _terminal(migration_uuid):
    migration = db.migration_get(migration_uuid)
    return migration if migration.status in states.TERMINAL else None


def _idle(instance_uuid):
    return db.instance_get(instance_uuid).task_state is None


def _wait(ended, what):
    """Polls ``ended`` until it returns something true; _MoveFailed after the timeout."""
    deadline = time.monotonic() + CONF.ha.flush_move_timeout
    while time.monotonic() < deadline:
        result = ended()
        if result:
            return result
        time.sleep(_POLL_SECONDS)
    raise _MoveFailed(f"the {what} did not end within {CONF.ha.flush_move_timeout} s")
