"""Resize and cold migration: every step of the protocol, in order (ARCHITECTURE §4).

    API          task resize_prep; asks the scheduler; casts ``prepare`` to the destination
    destination  claims the new flavor, creates the migration (pre-migrating)
    source       pre-migrating:   snapshots the disk                   -> migrating
                 migrating:       copies the base while the VM runs    -> migrating_step2
                 migrating_step2: shuts down, copies the COW delta     -> post-migrating
    destination  post-migrating:  builds the VM, moves the instance    -> verify-migration
    user         confirms (outcome confirmed) or reverts (-> reverted), or the window passes
    source       confirmed: drops the original, frees the old flavor   -> finished
    destination  reverted: drops the new VM, moves the instance back; then
    source       reverted: restarts the original, frees the new flavor -> finished

A cancel (admin, before post-migrating) or a failed step records its outcome and hands
the migration to the source, which restarts the original VM and frees the destination's
claim (-> cancelled or error); the destination then drops what it received.

The database is the truth. Every step is idempotent and ends with a compare-and-swap that
also names the host owning the next step (``next_step_host``), committed before that host
is told. Casts only say "look at migration X": the host reads the row and runs its next
step (``advance``), so a lost message or a restarted worker needs nothing but ``resume``.
A terminal migration whose ``next_step_host`` is set still has leftovers on that host.
"""
import datetime
import time

from oslo_log import log as logging

from godwit import context, exception
from godwit.compute import firewall, flavors, homes, states
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from godwit.ha import leases
from godwit.virt.driver import Destination, InstanceRef

LOG = logging.getLogger(__name__)

_PROGRESS_INTERVAL = 0.5
_MAX_INTERRUPTIONS = 3


class _Interrupted(Exception):
    """Someone else changed the migration (a cancel, a delete): read it again."""


class _NoRoom(Exception):
    pass


# --- destination: the first step ------------------------------------------------------------

def prepare(manager, ctxt, instance_uuid, new_flavor, alternates, task_token=None):
    """Destination: claims ``new_flavor`` here and creates the migration, or passes it on.

    The claim, the instance's task and the new row are one transaction, so a crash leaves
    either all of them or none (then the source's reconciler clears ``resize_prep``).
    A cast whose ``task_token`` is not the instance's belongs to an earlier request, which
    the reconciler ended while the cast was held up (its destination was down, say): it
    must not take over the request that replaced it, which may want another flavor.
    """
    try:
        instance = db.instance_get(instance_uuid)
    except exception.InstanceNotFound:
        return
    if instance.task_state != states.RESIZE_PREP:
        LOG.info("Instance %s is no longer waiting for a migration", instance_uuid)
        return
    if task_token is not None and task_token != instance.task_token:
        LOG.info("Ignoring an earlier migration request for instance %s: a later one "
                 "replaced it", instance_uuid)
        return
    try:
        migration = _create(manager.host, instance, new_flavor)
    except _NoRoom:
        _next_alternate(manager, ctxt, instance, new_flavor, alternates)
        return
    if migration is not None:
        _hand_over(manager, migration)


def _waiting(instance):
    """What the instance's row must still say for this request to go on with it."""
    return {"task_state": states.RESIZE_PREP, "task_token": instance.task_token,
            "host": instance.host}


def _create(host, instance, new_flavor):
    old_flavor = current_flavor(instance)
    kind = states.COLD_MIGRATION if old_flavor["flavorid"] == new_flavor["flavorid"] \
        else states.RESIZE_MIGRATION
    with writer() as session:
        if not db.instance_update(instance.uuid, {"task_state": states.RESIZE_MIGRATING},
                                  expected=_waiting(instance), session=session):
            return None
        if not db.host_claim(session, host, *flavors.needs(new_flavor)):
            raise _NoRoom()  # rolls the instance update back
        return db.migration_create(session, {
            "instance_uuid": instance.uuid, "migration_type": kind,
            "status": states.PRE_MIGRATING, "source_host": instance.host,
            "dest_host": host, "next_step_host": instance.host, "old_flavor": old_flavor,
            "new_flavor": new_flavor, "power_on": instance.vm_state == states.ACTIVE,
            "automatic": homes.is_automatic(instance.host)})


def current_flavor(instance):
    """The instance's flavor as a dict, with the flavor row's id while the row exists."""
    try:
        flavor_id = db.flavor_get(instance.flavorid).id
    except exception.FlavorNotFound:
        flavor_id = None
    return flavors.from_instance(instance, flavor_id)


def _next_alternate(manager, ctxt, instance, new_flavor, alternates):
    if alternates:
        LOG.info("Host %s has no room for instance %s; trying %s", manager.host,
                 instance.uuid, alternates[0])
        manager.compute_rpcapi.prepare_migration(ctxt, alternates[0], instance.uuid,
                                                 new_flavor, alternates[1:],
                                                 instance.task_token)
        return
    LOG.warning("No host had room to migrate instance %s", instance.uuid)
    if db.instance_update(instance.uuid, {"task_state": None}, expected=_waiting(instance)):
        db.instance_add_fault(instance.uuid, 400, "Migration failed: no valid host was found "
                                                  "(every candidate host was full).")


# --- the driver of every other step ---------------------------------------------------------

def advance(manager, migration_uuid):
    """Runs this host's steps of the migration until it is someone else's turn.

    Safe to call any time, any number of times: it does nothing unless the database says
    this host owns the next step. A step that keeps being interrupted without the
    migration changing (its instance is being deleted, say) is left to the reconciler.
    """
    handed_over, interruptions, migration = False, 0, None
    while interruptions < _MAX_INTERRUPTIONS:
        if migration is None:
            migration = db.migration_get(migration_uuid)
            instance = _instance_or_none(migration.instance_uuid)
        if migration.next_step_host != manager.host:
            if handed_over and migration.next_step_host:
                _hand_over(manager, migration)
            return
        if _being_deleted(migration, instance):
            return
        step = _step_for(migration, instance)
        try:
            step(manager, migration, instance)
            interruptions = 0
        except _Interrupted:
            LOG.info("Migration %s changed under step %s; reading it again",
                     migration.uuid, _STEP_NAMES[step])
            interruptions += 1
        except Exception as err:  # noqa: BLE001 - any failed step fails the migration
            LOG.exception("Step %s of migration %s failed", _STEP_NAMES[step], migration.uuid)
            _fail(manager, migration, instance, f"{_STEP_NAMES[step]} failed: {err}")
        else:
            if step in _KEEPS_ROWS_CURRENT:
                handed_over = True
                continue
        handed_over, migration = True, None
    LOG.warning("Migration %s keeps changing under host %s; the reconciler will retry it",
                migration_uuid, manager.host)


def _being_deleted(migration, instance):
    """A delete in progress ends the migration itself; its steps must not race it."""
    return (migration.status not in states.TERMINAL and instance is not None
            and instance.task_state == states.DELETING)


def _step_for(migration, instance):
    if migration.status in states.TERMINAL or instance is None:
        return _clean_up
    if migration.outcome in (states.CANCEL, states.FAILED):
        return _roll_back
    if migration.status == states.REVERTED:
        on_new_side = db.instance_on_new_side(migration, instance)
        return _revert_on_destination if on_new_side else _revert_on_source
    return _FORWARD[migration.status]


def _hand_over(manager, migration):
    manager.compute_rpcapi.advance_migration(context.get_admin_context(),
                                             migration.next_step_host, migration)


def _instance_or_none(uuid):
    try:
        return db.instance_get(uuid)
    except exception.InstanceNotFound:
        return None


def _transition(session, migration, status, values=None, expected_outcome=None):
    """Moves the migration on from the status it was read in; False if someone else did.

    On success the in-memory row shows the change too (``advance`` reads it again anyway
    if the transaction is undone). Raises InvalidMigrationTransition for a move the state
    table does not allow.
    """
    states.check_transition(migration.status, status)
    values = dict(values or {}, status=status)
    won = db.migration_update(migration.uuid, values,
                              expected={"status": migration.status,
                                        "outcome": expected_outcome}, session=session)
    if won:
        _apply(migration, values)
    return won


def _instance_moves(session, instance, values, expected_task):
    """Updates the instance in the migration's transaction, or undoes the transaction."""
    if not db.instance_update(instance.uuid, values, expected={"task_state": expected_task},
                              session=session):
        raise _Interrupted()
    _apply(instance, values)


def _apply(row, values):
    for column, value in values.items():
        setattr(row, column, value)


# --- source: copy the disks ------------------------------------------------------------------

def _snapshot(manager, migration, instance):
    manager.driver.migrate_snapshot(instance)
    with writer() as session:
        if not _transition(session, migration, states.MIGRATING):
            raise _Interrupted()


def _copy_base(manager, migration, instance):
    progress = _Progress(migration, offset=0)
    manager.driver.migrate_copy_base(instance, _destination(migration), progress)
    with writer() as session:
        if not _transition(session, migration, states.MIGRATING_STEP2,
                           dict(progress.counts(), base_bytes=progress.whole)):
            raise _Interrupted()
        progress.show(session)


def _copy_delta(manager, migration, instance):
    progress = _Progress(migration, offset=migration.base_bytes)
    manager.driver.migrate_power_off(instance)
    manager.driver.migrate_copy_delta(instance, _destination(migration), progress)
    with writer() as session:
        if not _transition(session, migration, states.POST_MIGRATING,
                           dict(progress.counts(), next_step_host=migration.dest_host)):
            raise _Interrupted()
        _instance_moves(session, instance, {"task_state": states.RESIZE_MIGRATED,
                                            "power_state": states.SHUTDOWN, "progress": 100},
                        states.RESIZE_MIGRATING)
    firewall.sync_row(manager.driver, instance)


def _destination(migration):
    return Destination(migration.dest_host, db.host_get(migration.dest_host).address)


class _Progress:
    """Bytes copied, on the migration and as the server's progress (0-100).

    Written while the copy runs at most every half second; the final counts go into the
    transition that ends the step. Raises _Interrupted when the migration was cancelled
    or failed elsewhere, which stops the copy.
    """

    def __init__(self, migration, offset):
        self.migration = migration
        self.moved = self.whole = offset
        self.offset = offset
        self.written_at = time.monotonic()

    def __call__(self, done, total):
        self.moved, self.whole = self.offset + done, self.offset + total
        now = time.monotonic()
        if done >= total or now - self.written_at < _PROGRESS_INTERVAL:
            return
        self.written_at = now
        with writer() as session:
            if not db.migration_update(self.migration.uuid, self.counts(),
                                       expected={"status": self.migration.status,
                                                 "outcome": None}, session=session):
                raise _Interrupted()
            self.show(session)

    def counts(self):
        return {"bytes_transferred": self.moved, "bytes_total": self.whole}

    def show(self, session):
        percent = self.moved * 100 // self.whole if self.whole else 100
        db.instance_update(self.migration.instance_uuid, {"progress": percent},
                           session=session)


# --- destination: build the instance ---------------------------------------------------------

def _finish(manager, migration, instance):
    leases.take_over(instance.uuid, manager.driver.storage_kind, migration.source_host,
                     manager.host)
    manager.driver.migrate_finish(instance, migration.new_flavor, migration.power_on)
    with writer() as session:
        if not _transition(session, migration, states.VERIFY_MIGRATION,
                           {"next_step_host": None}):
            raise _Interrupted()
        _instance_moves(session, instance, dict(
            flavors.instance_values(migration.new_flavor), host=manager.host,
            node=manager.host, vm_state=states.RESIZED, task_state=None,
            power_state=_power_state(migration), progress=100,
            storage_kind=manager.driver.storage_kind), states.RESIZE_MIGRATED)
    firewall.sync_row(manager.driver, instance)


def _power_state(migration):
    return states.RUNNING if migration.power_on else states.SHUTDOWN


def _settled_vm_state(migration):
    return states.ACTIVE if migration.power_on else states.STOPPED


# --- confirm -----------------------------------------------------------------------------------

def request_confirm(migration):
    """Records the user's confirm (API or auto-confirm); False if it was decided already."""
    return db.migration_update(migration.uuid, {"outcome": states.CONFIRMED,
                                                "next_step_host": migration.source_host},
                               expected={"status": states.VERIFY_MIGRATION, "outcome": None})


def _confirm(manager, migration, instance):
    """Source: drops the original; the instance stays where it is now, with the new flavor."""
    manager.driver.cleanup_migration(instance, keep_vm=instance.host == manager.host)
    with writer() as session:
        if not _transition(session, migration, states.FINISHED, {"next_step_host": None},
                           expected_outcome=states.CONFIRMED):
            raise _Interrupted()
        _instance_moves(session, instance, {"vm_state": _settled_vm_state(migration)}, None)
        db.host_release(session, migration.source_host,
                        *flavors.needs(migration.old_flavor))
        if migration.dest_host != migration.source_host:
            homes.arrived(instance.uuid, migration.source_host, migration.dest_host,
                          forced=not migration.automatic, session=session)


def confirm_expired(host, window):
    """Confirms the migrations this host received that waited longer than ``window`` s."""
    cutoff = models.utcnow() - datetime.timedelta(seconds=window)
    waiting = db.migration_list(filters={"dest_host": host,
                                         "status": states.VERIFY_MIGRATION})
    confirmed = []
    for migration in waiting:
        if migration.outcome is None and migration.updated_at < cutoff and \
                request_confirm(migration):
            LOG.info("Confirming migration %s automatically after %s s", migration.uuid,
                     window)
            confirmed.append(db.migration_get(migration.uuid))
    return confirmed


# --- revert ------------------------------------------------------------------------------------

def request_revert(migration, instance):
    """Records the user's revert: the destination acts first. False if already decided."""
    try:
        with writer() as session:
            if not _transition(session, migration, states.REVERTED,
                               {"outcome": states.REVERT,
                                "next_step_host": migration.dest_host}):
                raise _Interrupted()
            _instance_moves(session, instance, {"task_state": states.RESIZE_REVERTING},
                            None)
    except _Interrupted:
        return False
    return True


def _revert_on_destination(manager, migration, instance):
    manager.driver.migrate_drop_destination(instance)
    with writer() as session:
        if not db.migration_update(migration.uuid, {"next_step_host": migration.source_host},
                                   expected={"status": states.REVERTED,
                                             "next_step_host": manager.host},
                                   session=session):
            raise _Interrupted()
        _instance_moves(session, instance, dict(
            flavors.instance_values(migration.old_flavor), host=migration.source_host,
            node=migration.source_host, power_state=states.SHUTDOWN),
            states.RESIZE_REVERTING)
    firewall.sync_row(manager.driver, instance)


def _revert_on_source(manager, migration, instance):
    leases.take_over(instance.uuid, manager.driver.storage_kind, migration.dest_host,
                     manager.host)
    manager.driver.migrate_restore_source(instance, migration.power_on)
    with writer() as session:
        if not _transition(session, migration, states.FINISHED, {"next_step_host": None},
                           expected_outcome=states.REVERT):
            raise _Interrupted()
        _instance_moves(session, instance, {
            "vm_state": _settled_vm_state(migration), "task_state": None,
            "power_state": _power_state(migration), "progress": 0,
            "storage_kind": manager.driver.storage_kind}, states.RESIZE_REVERTING)
        db.host_release(session, migration.dest_host, *flavors.needs(migration.new_flavor))
    firewall.sync_row(manager.driver, instance)


# --- cancel, failure, and clean-up -------------------------------------------------------------

def request_cancel(migration):
    """Records an admin's cancel; the source rolls back. False if too late or decided."""
    return db.migration_update(migration.uuid, {"outcome": states.CANCEL,
                                                "next_step_host": migration.source_host},
                               expected={"status": states.CANCELLABLE, "outcome": None})


def _roll_back(manager, migration, instance):
    """Source: the instance runs here again as before; the destination's claim is freed."""
    same_host = migration.dest_host == migration.source_host
    if same_host:
        manager.driver.migrate_drop_destination(instance)
    try:
        leases.take_over(instance.uuid, instance.storage_kind, migration.dest_host,
                         manager.host)
        manager.driver.migrate_restore_source(instance, migration.power_on)
    except Exception as err:  # noqa: BLE001 - the instance cannot run anywhere now
        LOG.exception("Could not restart instance %s on its source", instance.uuid)
        _strand(migration, instance, f"{migration.error or 'Migration cancelled'}; "
                                     f"restarting the instance on {manager.host} failed: {err}")
        return
    status = states.CANCELLED if migration.outcome == states.CANCEL else \
        states.MIGRATION_ERROR
    with writer() as session:
        if not _transition(session, migration, status,
                           {"next_step_host": None if same_host else migration.dest_host},
                           expected_outcome=migration.outcome):
            raise _Interrupted()
        _instance_moves(session, instance, {
            "host": migration.source_host, "node": migration.source_host,
            "vm_state": _settled_vm_state(migration), "task_state": None,
            "power_state": _power_state(migration), "progress": 0},
            (states.RESIZE_MIGRATING, states.RESIZE_MIGRATED))
        db.host_release(session, migration.dest_host, *flavors.needs(migration.new_flavor))
    firewall.sync_row(manager.driver, instance)
    LOG.info("Migration %s of instance %s is %s; it runs on %s", migration.uuid,
             instance.uuid, status, manager.host)


def _fail(manager, migration, instance, message):
    """Before the instance moved, the source rolls back; after, the instance stays put.

    A failure while rolling back, confirming or reverting ends the migration in error
    where the instance is (ERROR unless a confirm failed: the instance itself is fine).
    """
    before_move = migration.status in states.CANCELLABLE or \
        migration.status == states.POST_MIGRATING
    if migration.status in states.TERMINAL:
        db.migration_update(migration.uuid, {"next_step_host": None},
                            expected={"next_step_host": manager.host})
    elif before_move and migration.outcome is None:
        if migration.status == states.POST_MIGRATING:
            _quietly(manager.driver.migrate_drop_destination, instance)
        db.migration_update(migration.uuid, {"outcome": states.FAILED, "error": message,
                                             "next_step_host": migration.source_host},
                            expected={"status": migration.status, "outcome": None})
    elif migration.outcome == states.CONFIRMED:
        _strand(migration, instance, message, vm_state=_settled_vm_state(migration))
    else:
        _strand(migration, instance, message)


def _strand(migration, instance, message, vm_state=states.ERROR):
    """Ends the migration in error where the instance is now, with a fault saying why."""
    with writer() as session:
        if not db.migration_update(migration.uuid, {"status": states.MIGRATION_ERROR,
                                                    "error": message, "next_step_host": None},
                                   expected={"status": migration.status}, session=session):
            return
        db.instance_update(migration.instance_uuid,
                           {"vm_state": vm_state, "task_state": None}, session=session)
        db.instance_add_fault(migration.instance_uuid, 500, message, session=session)
        db.host_release(session, *_other_side_needs(migration, instance))


def _other_side_needs(migration, instance):
    host, flavor = db.migration_other_side(migration, instance)
    return (host, *flavors.needs(flavor))


def _clean_up(manager, migration, instance):
    """Removes what a finished migration left on this host, unless a newer one runs.

    A source the migration ended without (it was fenced: ``_end_for_fenced``) may have
    set its original aside: if the instance is still here as it was, that original is the
    instance, and is put back (stopped: the host was off) rather than removed.
    """
    if db.migration_open_for_instance(migration.instance_uuid) is None:
        if instance is None:
            manager.driver.destroy(InstanceRef(migration.instance_uuid))
        elif instance.host == manager.host == migration.source_host and \
                not db.instance_on_new_side(migration, instance):
            if migration.dest_host == manager.host:
                manager.driver.migrate_drop_destination(instance)
            manager.driver.migrate_restore_source(instance, False)
            manager.driver.cleanup_migration(instance, keep_vm=True)
        else:
            manager.driver.cleanup_migration(instance,
                                             keep_vm=instance.host == manager.host)
    db.migration_update(migration.uuid, {"next_step_host": None},
                        expected={"next_step_host": manager.host})


def _quietly(call, *args):
    try:
        call(*args)
    except Exception:  # noqa: BLE001 - best effort; the reconciler removes leftovers later
        LOG.exception("Clean-up step %s failed", call.__name__)



# --- a deleted instance ----------------------------------------------------------------------

def end_for_deleted_instance(session, instance, acting_host):
    """Ends the instance's open migration as it is deleted (in the delete's transaction).

    A migration waiting for confirmation counts as confirmed (as in Nova); any other ends
    in error. The claim on the side the instance is not on is freed. Returns
    (the migration, the host that still has leftovers to remove), or None.
    """
    migration = db.migration_open_for_instance(instance.uuid, session=session)
    if migration is None:
        return None
    status, outcome = ((states.FINISHED, states.CONFIRMED)
                       if migration.status == states.VERIFY_MIGRATION
                       else (states.MIGRATION_ERROR, migration.outcome))
    others = sorted({migration.source_host, migration.dest_host} - {acting_host},
                    key=lambda host: host == instance.host)
    leftovers = others[0] if others else None
    states.check_transition(migration.status, status)
    db.migration_update(migration.uuid, {
        "status": status, "outcome": outcome, "next_step_host": leftovers,
        "error": None if status == states.FINISHED else "The instance was deleted."},
        expected={"status": migration.status}, session=session)
    db.host_release(session, *_other_side_needs(migration, instance))
    return (migration, leftovers) if leftovers else None


# --- a fenced host (godwit.ha.recovery) -------------------------------------------------------
# The HA leader ends or hands over a migration one of whose hosts was fenced (confirmed off),
# so that the instance ends on exactly one host and every claim is released. Each returns
# (what was decided, or None if nothing was; the live host to tell, or None).

def settle_for_fenced_host(migration, instance, dead_host):
    """Decides what becomes of a resize or cold migration that ``dead_host`` takes part in
    (doc/ha.md, "Instances caught mid-task")."""
    on_new_side = db.instance_on_new_side(migration, instance)
    source, dest = migration.source_host, migration.dest_host
    if instance.host != dead_host:
        if on_new_side:  # it runs on the live destination; the original died with the source
            if migration.status == states.VERIFY_MIGRATION:
                return _confirm_for_fenced(migration, instance, dead_host)
            return None, dest  # a revert towards the dead source: ended once it gets there
        if migration.status in states.CANCELLABLE or \
                migration.status == states.POST_MIGRATING:
            return _fail_for_fenced_destination(migration, dead_host)
        return None, source
    if on_new_side and migration.status in (states.VERIFY_MIGRATION, states.REVERTED):
        if source != dead_host and migration.outcome != states.CONFIRMED:
            return _revert_for_fenced_destination(migration, instance, dead_host)
        if migration.status == states.VERIFY_MIGRATION:
            return _confirm_for_fenced(migration, instance, dead_host)
    elif migration.status == states.POST_MIGRATING and migration.outcome is None \
            and dest != dead_host:
        return None, dest  # the destination has every byte: it builds the instance
    return _end_for_fenced(migration, instance, dead_host)


def _confirm_for_fenced(migration, instance, dead_host):
    """Verify, one side dead: the instance keeps its new side; the original becomes a
    leftover of the source (removed there by ``_clean_up``, now or once it is back)."""
    with writer() as session:
        if not db.migration_update(migration.uuid, {
                "status": states.FINISHED, "outcome": states.CONFIRMED,
                "next_step_host": migration.source_host},
                expected={"status": states.VERIFY_MIGRATION,
                          "outcome": (None, states.CONFIRMED)}, session=session):
            return None, None
        db.instance_update(instance.uuid, {"vm_state": _settled_vm_state(migration)},
                           expected={"task_state": None}, session=session)
        db.host_release(session, migration.source_host, *flavors.needs(migration.old_flavor))
        if migration.dest_host != migration.source_host:
            homes.arrived(instance.uuid, migration.source_host, migration.dest_host,
                          forced=not migration.automatic, session=session)
    live = migration.source_host if migration.source_host != dead_host else None
    return f"migration {migration.uuid} confirmed: host {dead_host} was fenced", live


def _revert_for_fenced_destination(migration, instance, dead_host):
    """The instance ran on the dead destination: the destination's half of a revert is done
    on its behalf (the instance belongs to the source again), then the source restarts its
    original. What the guest wrote on the destination is lost, as with any revert."""
    expected = ({"status": states.VERIFY_MIGRATION, "outcome": None}
                if migration.status == states.VERIFY_MIGRATION
                else {"status": states.REVERTED, "next_step_host": dead_host})
    with writer() as session:
        if not db.migration_update(migration.uuid, {
                "status": states.REVERTED, "outcome": states.REVERT,
                "next_step_host": migration.source_host}, expected=expected, session=session):
            return None, None
        if not db.instance_update(instance.uuid, dict(
                flavors.instance_values(migration.old_flavor), host=migration.source_host,
                node=migration.source_host, power_state=states.SHUTDOWN,
                task_state=states.RESIZE_REVERTING),
                expected={"host": dead_host, "task_state": (None, states.RESIZE_REVERTING)},
                session=session):
            raise exception.Conflict(f"instance {instance.uuid} changed meanwhile")
    return (f"migration {migration.uuid} reverted: its destination {dead_host} was fenced",
            migration.source_host)


def _fail_for_fenced_destination(migration, dead_host):
    """The instance is still on its live source: the source rolls back (restarts the
    original, frees the dead destination's claim)."""
    if migration.outcome is not None:
        return None, migration.next_step_host
    if not db.migration_update(migration.uuid, {
            "outcome": states.FAILED, "next_step_host": migration.source_host,
            "error": f"The destination host {dead_host} was fenced."},
            expected={"status": migration.status, "outcome": None}):
        return None, None
    return (f"migration {migration.uuid} rolled back: its destination {dead_host} was "
            "fenced", migration.source_host)


def _end_for_fenced(migration, instance, dead_host):
    """The instance is on the dead host as it is now: the migration ends in error (or
    cancelled, if an admin cancelled it) and the other side's claim is freed; the other
    side's reconciler removes what it received. The instance is then recovered like an
    idle one. The dead host keeps the clean-up (``next_step_host``): once it is back, it
    puts the original back if the instance is still there (``_clean_up``)."""
    cancelled = migration.outcome == states.CANCEL and migration.status in states.CANCELLABLE
    status = states.CANCELLED if cancelled else states.MIGRATION_ERROR
    states.check_transition(migration.status, status)
    with writer() as session:
        if not db.migration_update(migration.uuid, {
                "status": status, "next_step_host": dead_host,
                "error": migration.error or f"The host {dead_host} was fenced."},
                expected={"status": migration.status}, session=session):
            return None, None
        db.instance_update(instance.uuid, {
            "task_state": None, "vm_state": _settled_vm_state(migration),
            "power_state": states.SHUTDOWN, "progress": 0},
            expected={"host": dead_host}, session=session)
        db.host_release(session, *_other_side_needs(migration, instance))
    return f"migration {migration.uuid} {status}: host {dead_host} was fenced", None


# --- recovery ----------------------------------------------------------------------------------

def resume(manager, only_stale):
    """Runs every step this host owns (at start: all; periodically: those stuck).

    A step in progress holds the instance's lock, so the periodic pass skips it.
    """
    stale_before = models.utcnow() - datetime.timedelta(seconds=CONF.compute.reconcile_interval)
    for migration in db.migration_list(filters={"next_step_host": manager.host}):
        if only_stale and (migration.updated_at or migration.created_at) >= stale_before:
            continue
        LOG.info("Resuming migration %s (%s) on %s", migration.uuid, migration.status,
                 manager.host)
        run = manager.try_with_instance_lock if only_stale else manager.with_instance_lock
        run(migration.instance_uuid, advance, manager, migration.uuid)


_FORWARD = {
    states.PRE_MIGRATING: _snapshot,
    states.MIGRATING: _copy_base,
    states.MIGRATING_STEP2: _copy_delta,
    states.POST_MIGRATING: _finish,
    states.VERIFY_MIGRATION: _confirm,
}

# Forward steps keep the rows ``advance`` holds current; after any other, it reads them again.
_KEEPS_ROWS_CURRENT = frozenset(_FORWARD.values())

_STEP_NAMES = {
    _snapshot: "Snapshot", _copy_base: "Copying the base disk",
    _copy_delta: "Copying the disk changes", _finish: "Building the migrated instance",
    _confirm: "Confirming", _revert_on_destination: "Reverting on the destination",
    _revert_on_source: "Reverting on the source", _roll_back: "Rolling back",
    _clean_up: "Cleaning up",
}
