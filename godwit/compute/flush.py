"""Flush and unflush of a host: every check and step in one place (doc/ha.md).

    request   (API) the host, unless fenced, moves to ``flushing`` (or ``unflushing``) and
              its ``host_flushes`` row gets the next generation, in one transaction; then
              the host's compute worker is told (cast ``run_host_flush``)
    flush     the plan: every instance of the host with a method (its ``migration_method``,
              else ``[ha] default_migration_method``; ``auto``: live if a host of its
              cluster takes it, else cold) and a target (``targets.choose_many``, live and
              cold moves in one pass; the same call a dry run makes). At most
              ``concurrency`` moves at a time: live -> live migration; shutdown -> cold
              migration, confirmed when it reaches verify (a running instance runs again
              on the target); none, or no target -> the instance is shut down where it
              is, marked ``autostart`` and listed in the row's ``stopped`` (which requests
              carry over). The moves start while the host is ``flushing``, so they are
              automatic: the moved instance's ``previous_host`` becomes the host unless it
              had one (``godwit.compute.homes``). Instances that arrived meanwhile (a
              build the scheduler placed just before it saw the host flushing) are planned
              in a further round. Then the host is ``flushed``.
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
instances are now. First it takes over what the lost runners left: it waits until the
cold moves asked for just before have a migration (or never will), ends the moves in
flight of the request of the other kind that this one replaced, and follows the open moves
of its own kind (a flush's: automatic from the host; an unflush's: onto the instance's
previous_host), confirming those that wait in verify, which the plan would not see.
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
AUTO, LIVE, SHUTDOWN, NONE = "auto", "live", "shutdown", "none"
READY, FLUSHING, FLUSHED, UNFLUSHING = "ready", "flushing", "flushed", "unflushing"
# kind -> (the host's state while it runs, when it is done)
_HOST_STATES = {FLUSH: (FLUSHING, FLUSHED), UNFLUSH: (UNFLUSHING, READY)}
# A fenced host is the HA monitor's; nothing else may be asked of it.
_REQUESTABLE = (READY, FLUSHING, FLUSHED, UNFLUSHING)
_POLL_SECONDS = 0.1

# One instance's part of a plan: ``target`` None means it stays, ``reason`` says why;
# ``migration``: the uuid of the move an earlier runner began (followed to its end only).
Step = collections.namedtuple("Step", "instance target method reason migration",
                              defaults=(None,))
# The migration types of the moves a flush begins, and its method for each.
_METHOD_OF_TYPE = {states.LIVE_MIGRATION: LIVE, states.COLD_MIGRATION: SHUTDOWN}


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
    """What a flush of ``host`` would do now: a Step per instance of the host. Live and
    cold moves are chosen in one pass over the same hosts (in instance order), so the
    room a live move takes on a host is gone for the cold moves after it, as it will be
    when the flush runs them. A live move of method ``auto`` that no host of the cluster
    takes becomes a cold migration to any valid host (the step's reason says why); an
    explicit ``live`` stays live-only."""
    instances = sorted(db.instance_list(filters={"host": host}), key=lambda inst: inst.id)
    steps, moves = {}, []
    for instance in instances:
        method = method_of(instance)
        if method == NONE:
            steps[instance.uuid] = Step(instance, None, NONE, "its migration_method is none")
        else:
            moves.append(targets.Move(instance, live=method == LIVE,
                                      needs_disk=method == SHUTDOWN,
                                      or_cold=_method_asked(instance) == AUTO))
    for choice in targets.choose_many(moves):
        steps[choice.move.instance.uuid] = _planned_step(choice)
    return [steps[instance.uuid] for instance in instances]


def _planned_step(choice):
    instance, method = choice.move.instance, LIVE if choice.move.live else SHUTDOWN
    if choice.live_refused is None:
        reason = None if choice.target else choice.refused.message
    elif choice.target:
        reason = (f"auto: no host of its cluster can take it live "
                  f"({choice.live_refused.kwargs['reason']}), so a cold migration")
    else:
        reason = f"auto: no host can take it live or cold: {choice.refused.kwargs['reason']}"
    return Step(instance, choice.target, method, reason)


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
    method = _method_asked(instance)
    if method in (AUTO, LIVE):
        return LIVE if _can_live_migrate(instance, target) else SHUTDOWN
    return method


def _method_asked(instance):
    return instance.migration_method or CONF.ha.default_migration_method


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
    """The host's maintenance state and its last flush's progress (None if it had none).
    The row is read first: a request's end changes both in one transaction, so a row read
    as finished comes with the state it left the host in."""
    row = flushes.get(host)
    return db.host_get(host).maintenance_state, row


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
        say), and the last round finds none. Before, it takes over what earlier runners
        left when the worker restarted (``_take_over``); the first round also follows
        the moves of its kind they had begun."""
        if self.kind == UNFLUSH:
            _after_scheduler_sees(self.requested_at)
        self._take_over()
        handled, steps = set(), self._open_moves(self.kind)
        while self._current():
            begun = handled | {step.instance.uuid for step in steps}
            steps += [step for step in (plan(self.host) if self.kind == FLUSH
                                        else _unflush_plan(self.host))
                      if step.instance.uuid not in begun]
            if not steps or not self._record(total=len(handled) + len(steps)):
                break
            handled.update(step.instance.uuid for step in steps)
            LOG.info("%s of host %s: %d instance(s), %d at a time", self.kind, self.host,
                     len(steps), self.concurrency)
            with concurrent.futures.ThreadPoolExecutor(self.concurrency) as pool:
                list(pool.map(self._step, steps))
            steps = []
        if self.kind == UNFLUSH and self._current():
            self._start_autostart()
        if flushes.finish(self.host, self.generation, *_HOST_STATES[self.kind]):
            LOG.info("%s of host %s done: %s", self.kind, self.host, self.progress)

    def _take_over(self):
        """What earlier runners of the host left when the worker restarted (else ``run``
        joined the one this request replaced): the cold moves they had just asked for,
        then the moves in flight of the request this one replaced."""
        self._await_recorded_moves()
        replaced = self._open_moves(UNFLUSH if self.kind == FLUSH else FLUSH)
        if replaced:
            with concurrent.futures.ThreadPoolExecutor(len(replaced)) as pool:
                list(pool.map(self._end_replaced, replaced))

    def _await_recorded_moves(self):
        """Until the destination records the migration of a cold move, the instance is in
        ``resize_prep`` with none, and planning it would fail: the runner waits. Once
        recorded, the move is followed like the others; if it never is (the request was
        lost and the reconciler made the instance idle again, or the destination refused
        it), the instance is planned like any other."""
        try:
            _wait(lambda: not any(map(_starting, self._instances_concerned())),
                  "recording of the migrations asked for before the restart")
        except _MoveFailed as err:
            LOG.warning("%s of host %s: %s; planning all the same", self.kind, self.host, err)

    def _instances_concerned(self):
        """The instances a flush or unflush of the host moves: on it, or at home on it."""
        return db.instance_list(filters={"host": self.host}) + \
            db.instance_list(filters={"previous_host": self.host})

    def _end_replaced(self, step):
        """Ends a move of the request of the other kind this one replaced, as its runner
        would have (a cold one waiting in verify is confirmed), so that a flush's move
        sets the instance's previous_host before an unflush plans. It is not this
        request's move: its progress does not count it."""
        try:
            self._perform(step)
        except (_MoveFailed, exception.GodwitException) as err:
            LOG.warning("%s of host %s: the replaced request's move of instance %s: %s",
                        self.kind, self.host, step.instance.uuid, err)

    def _open_moves(self, kind):
        """Steps following the moves of ``kind`` (``_kind_of_move``) of the host that have
        not ended: earlier runners began them and did not see them end (the worker
        restarted). Each is followed to its end, and a cold one waiting in verify is
        confirmed: the plan, made from where the instances are now, would miss one that
        has arrived (its confirm would wait for the confirm window) and fail one still
        on its way."""
        steps = []
        for migration in reversed(db.migration_list(filters={"host": self.host,
                                                             "open": True})):
            if migration.migration_type not in _METHOD_OF_TYPE:
                continue
            try:
                instance = db.instance_get(migration.instance_uuid)
            except exception.InstanceNotFound:
                continue  # deleted meanwhile: the delete ends its migration
            if _kind_of_move(migration, instance, self.host) == kind:
                steps.append(Step(instance, migration.dest_host,
                                  _METHOD_OF_TYPE[migration.migration_type], None,
                                  migration.uuid))
        return steps

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
            self._live_migrate(step.instance, step.target, step.migration)
        else:
            self._cold_migrate(step.instance, step.target, step.migration)
        if step.target != self.host:
            # A flush's move begun before a newer request took the host out of flushing
            # is recorded as forced; it was the flush's all the same.
            homes.moved_away(step.instance.uuid, self.host)

    # --- the moves ---------------------------------------------------------------------------

    def _live_migrate(self, instance, target, migration_uuid=None):
        """Live-migrates the instance, or follows the migration ``migration_uuid``."""
        if migration_uuid is None:
            migration_uuid = self.compute_api.live_migrate(self.context, instance.uuid,
                                                           target).uuid
        ended = _wait(lambda: _terminal(migration_uuid), f"live migration to {target}")
        if ended.status != states.FINISHED:
            raise _MoveFailed(ended.error or f"live migration to {target} ended {ended.status}")

    def _cold_migrate(self, instance, target, migration_uuid=None):
        """Cold-migrates the instance, or follows the migration ``migration_uuid``, and
        confirms it once it waits in verify."""
        if migration_uuid is None:
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


def _kind_of_move(migration, instance, host):
    """Whose move of ``host`` the migration is: a flush's if it is automatic from the host
    (it began while the host was flushing), an unflush's if it brings the instance home to
    the host (``homes.brings_home``); else None."""
    if migration.source_host == host and migration.automatic:
        return FLUSH
    if migration.dest_host == host and homes.brings_home(migration, instance):
        return UNFLUSH
    return None


def _starting(instance):
    """Whether a cold move of the instance was asked for and its migration not recorded
    yet."""
    return instance.task_state == states.RESIZE_PREP and \
        db.migration_open_for_instance(instance.uuid) is None


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
