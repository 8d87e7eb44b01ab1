"""Restarting a fenced host's instances on other hosts, and ending what it was doing.

Leader side (``recover_host``), once the dead host is confirmed off: first every open
migration the host takes part in is ended or handed to its live host (the table in
doc/ha.md, "Instances caught mid-task"; resize and cold migration cases in
``godwit.compute.migration``, "a fenced host"):

    dead source, not switched over    error; destination's claim freed; recovered as idle
    dead source, everything copied    the destination builds it; then confirmed for it
    dead source, verify or confirmed  confirmed on its behalf; the original goes later
    dead destination, not switched    the live source rolls back (restarts the original)
    dead destination, verify/revert   reverted, driven by the live source
    dead destination, confirm asked   confirmed on its behalf; recovered as idle
    live migration from it            a recovery onto its destination
    live migration to it              the source asks the hypervisor: still there, error;
                                      else finished, recovered from the dead host next round
    recovery to it                    sent to another target

Then each instance still on the host: a delete is finished, a build fails (ERROR, never
started), a power action is recovered with the power it asked for, and every other
instance on shared storage gets a target (``targets.choose``): the target's resources are
claimed, the instance is put in ``rebuilding`` and an ``evacuation`` migration records
the decision, all in one transaction, before the target is told (``recover_instance``
cast). Instances on local storage cannot be recovered: their disks are on the dead host.
They stay there in ERROR (powered off: the host was), with a fault saying why; once an
admin brought the host back (unfence), a hard reboot starts them again. The same goes for
an instance no host can take. A second ``recover_host`` (a new leader) decides only what
the first did not: no duplicate fault or event. ``resend_stalled`` runs it again for
migrations that came back to a fenced host afterwards, and for an instance that arrived on
it (a live migration to it had completed just before it died).

Target side (``recover``): takes the instance over from the dead host by compare-and-swap,
acquires its disk lease and starts its VM from the shared disks. Every step is idempotent:
``resend_stalled`` sends again a recovery no host finished (a lost cast, a crashed worker),
and the database says what was decided.
"""
import datetime

from oslo_log import log as logging
from sqlalchemy import func, select

from godwit import context, exception
from godwit.compute import (
    build,
    firewall,
    live_migration,
    resource_tracker,
    states,
    targets,
    terminate,
)
from godwit.compute import migration as compute_migration
from godwit.compute.migration import current_flavor
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import reader, writer
from godwit.ha import events, fencing, host_fences, leases

LOG = logging.getLogger(__name__)

LOCAL_STORAGE_FAULT = ("Not recovered after host %s was fenced: the instance's disks are "
                       "on that host's local storage. It starts again once the host is back.")
NO_TARGET_FAULT = "Not recovered after host %s was fenced: %s"
NEVER_BUILT_FAULT = ("Build of instance failed: its host %s was fenced before the instance "
                     "ever started.")


class _Changed(Exception):
    """The instance (or its migration) changed since it was read: someone else acts."""


# --- leader: decide and send ---------------------------------------------------------------

# What a task left unfinished asks for the instance's power (idle: as its vm_state says).
_RUNS_AFTER = {states.POWERING_ON: True, states.REBOOTING: True, states.REBOOTING_HARD: True,
               states.RESUMING: True, states.POWERING_OFF: False, states.SUSPENDING: False}


def recover_host(dead_host, rpcapi):
    """Ends what ``dead_host`` was in the middle of, then sends every instance of it that
    can be recovered to a target host: one of its cluster, the hosts that see its shared
    storage. Idempotent: a second call decides only what the first did not."""
    _settle_migrations(dead_host, rpcapi)
    exclude = _outside_cluster_of(dead_host)
    handled = _handled_since_fence(dead_host)
    for instance in db.instance_list(filters={"host": dead_host}):
        if instance.uuid in handled or instance.task_state == states.REBUILDING:
            continue  # decided already: resend_stalled follows a recovery up
        if instance.task_state != states.DELETING and \
                db.migration_open_for_instance(instance.uuid) is not None:
            continue  # its migration's live host finishes it
        _recover_instance(instance, rpcapi, exclude)


def _recover_instance(instance, rpcapi, exclude):
    dead_host = instance.host
    if instance.task_state == states.DELETING:
        _finish_delete(instance, rpcapi)
    elif instance.vm_state == states.BUILDING:
        _fail_build(instance)
    elif instance.storage_kind != "shared":
        _leave(instance, LOCAL_STORAGE_FAULT % dead_host)
    else:
        _send(instance, rpcapi, exclude)


def _send(instance, rpcapi, exclude, target=None, before=None, decided=None):
    """Claims a target (``target``, else the best one not in ``exclude``) and casts the
    recovery there; ``before(session)`` runs first in the same transaction, and
    ``decided`` is logged with it."""
    dead_host = instance.host
    try:
        target = target or targets.choose(instance, exclude=exclude)
        migration = _decide(instance, target, before)
    except _Changed:
        LOG.info("Instance %s changed while its host %s was recovered", instance.uuid,
                 dead_host)
        return
    except (targets.NoTarget, exception.Conflict) as err:
        _leave(instance, NO_TARGET_FAULT % (dead_host, err), before)
        return
    if decided:
        events.record(dead_host, events.MIGRATION_ENDED, decided, instance.uuid)
    events.record(dead_host, events.RECOVER_START, f"to {target}", instance.uuid)
    rpcapi.recover_instance(context.get_admin_context(), target, instance.uuid,
                            migration.uuid)


def _outside_cluster_of(host_name):
    """``host_name`` and every host of another cluster."""
    cluster_id = db.host_get(host_name).cluster_id
    return {host_name} | {host.name for host in db.host_list() if host.cluster_id != cluster_id}


def _handled_since_fence(dead_host):
    """Instances this host's recovery already decided on since its last fence began (a
    second ``recover_host`` must not decide, nor log, them again)."""
    event = models.HAEvent
    with reader() as session:
        fenced_from = session.scalar(select(func.max(event.id)).where(
            event.host == dead_host, event.event == events.FENCE_START)) or 0
        return set(session.scalars(select(event.instance_uuid).where(
            event.host == dead_host, event.id > fenced_from,
            event.event.in_((events.RECOVER_START, events.NOT_RECOVERED)))))


def _decide(instance, target, before=None):
    """Claims ``target`` and records the recovery; _Changed if the instance changed,
    Conflict if the target has no room left."""
    with writer() as session:
        if before is not None:
            before(session)
        changes = {"task_state": states.REBUILDING}
        if not instance.previous_host:
            changes["previous_host"] = instance.host
        if not db.instance_update(instance.uuid, changes,
                                  expected={"host": instance.host,
                                            "task_state": instance.task_state},
                                  session=session):
            raise _Changed()
        if not db.host_claim(session, target, *resource_tracker.needs(instance)):
            raise exception.Conflict(f"host {target} has no room left for it")
        flavor = current_flavor(instance)
        return db.migration_create(session, {
            "instance_uuid": instance.uuid, "migration_type": states.EVACUATION,
            "status": states.LIVE_RUNNING, "source_host": instance.host, "dest_host": target,
            "next_step_host": None, "old_flavor": flavor, "new_flavor": flavor,
            "power_on": _runs_after(instance), "automatic": True})


def _runs_after(instance):
    """Whether the recovered instance runs: as the unfinished task asked, else as it was."""
    return _RUNS_AFTER.get(instance.task_state, instance.vm_state != states.STOPPED)


def _leave(instance, message, before=None):
    """The instance stays on its dead host, in ERROR and off, with a fault saying why;
    ``before(session)`` runs first in the same transaction."""
    try:
        with writer() as session:
            if before is not None:
                before(session)
            db.instance_update(instance.uuid, {"vm_state": states.ERROR, "task_state": None,
                                               "power_state": states.SHUTDOWN},
                               expected={"host": instance.host}, session=session)
            db.instance_add_fault(instance.uuid, 500, message, session=session)
    except _Changed:
        return
    events.record(instance.host, events.NOT_RECOVERED, message, instance.uuid)


def _fail_build(instance):
    """A build the dead host never finished: ERROR, its claim given back, never started."""
    message = NEVER_BUILT_FAULT % instance.host
    build.fail(instance, message, instance.task_state, release_host=instance.host)
    events.record(instance.host, events.NOT_RECOVERED, message, instance.uuid)


def _finish_delete(instance, rpcapi):
    """A delete the dead host never finished: the rows, claims and lease go now; the VM, if
    the host comes back with it, is destroyed by its reconciler."""
    terminate.forget(instance, rpcapi)
    events.record(instance.host, events.DELETE_FINISHED, "the instance was being deleted",
                  instance.uuid)


# --- leader: migrations the dead host took part in -------------------------------------------


def _settle_migrations(dead_host, rpcapi):
    """Ends, or hands to their live host, the open migrations of ``dead_host``."""
    for migration in db.migration_list(filters={"host": dead_host, "open": True}):
        try:
            instance = db.instance_get(migration.instance_uuid)
        except exception.InstanceNotFound:
            continue
        if instance.task_state == states.DELETING:
            continue  # the delete ends the migration (_finish_delete)
        if migration.migration_type == states.LIVE_MIGRATION:
            _settle_live_migration(migration, instance, dead_host, rpcapi)
        elif migration.migration_type != states.EVACUATION:
            _settle_migration(migration, instance, dead_host, rpcapi)
        elif migration.dest_host == dead_host:
            _redirect_recovery(migration, instance, dead_host, rpcapi)


def _settle_migration(migration, instance, dead_host, rpcapi):
    try:
        decided, live_host = compute_migration.settle_for_fenced_host(migration, instance,
                                                                      dead_host)
    except exception.Conflict as err:
        LOG.info("Migration %s changed while host %s was recovered: %s", migration.uuid,
                 dead_host, err)
        return
    if decided:
        events.record(dead_host, events.MIGRATION_ENDED, decided, instance.uuid)
    if live_host and live_host != dead_host:
        rpcapi.advance_migration(context.get_admin_context(), live_host,
                                 db.migration_get(migration.uuid))


def _settle_live_migration(migration, instance, dead_host, rpcapi):
    """A live migration from the dead host becomes a recovery on its destination (where
    the VM may run already: the driver's ``recover`` only starts it then). One to the dead
    host goes back to its source, which asks the hypervisor where the VM is: the move may
    have completed just before the host died (``live_migration``, "a fenced host")."""
    if migration.dest_host == dead_host:
        rpcapi.live_migrate_instance(context.get_admin_context(), migration.source_host,
                                     instance.uuid, migration.uuid)
        return
    message = f"Live migration {migration.uuid} ended: host {dead_host} was fenced."

    def end(session):
        if not live_migration.end_for_fenced_source(session, migration, instance, message):
            raise _Changed()
    _send(instance, rpcapi, set(), target=migration.dest_host, before=end, decided=message)


def _redirect_recovery(migration, instance, dead_host, rpcapi):
    """The target of a recovery died before finishing it: another target takes over
    (the instance is still on the host it is recovered from, in ``rebuilding``)."""
    message = f"Recovery {migration.uuid} ended: its target {dead_host} was fenced."

    def end(session):
        if not _end(migration, states.MIGRATION_ERROR, message, session=session):
            raise _Changed()
        db.host_release(session, dead_host, *resource_tracker.needs(instance))
    _send(instance, rpcapi, _outside_cluster_of(instance.host), before=end,
          decided=message)


def resend_stalled(rpcapi, age=None):
    """Sends again every recovery still running after ``age`` seconds (default
    ``[ha] recovery_retry_interval``): the target finishes it or fails it."""
    age = CONF.ha.recovery_retry_interval if age is None else age
    cutoff = models.utcnow() - datetime.timedelta(seconds=age)
    query = select(models.Migration).where(
        models.Migration.migration_type == states.EVACUATION,
        models.Migration.status == states.LIVE_RUNNING,
        models.Migration.created_at < cutoff)
    with reader() as session:
        stalled = list(session.scalars(query))
    for migration in stalled:
        LOG.warning("Recovery %s of instance %s is not finished; sending it again to %s",
                    migration.uuid, migration.instance_uuid, migration.dest_host)
        rpcapi.recover_instance(context.get_admin_context(), migration.dest_host,
                                migration.instance_uuid, migration.uuid)
    _recover_again_for_stale_migrations(rpcapi, cutoff)
    return len(stalled)


def _recover_again_for_stale_migrations(rpcapi, cutoff):
    """Runs ``recover_host`` again for a fenced host, still silent, that an open migration
    unchanged since ``cutoff`` involves: one the first pass handed over that came back to
    it (a destination finished building the instance of a dead source; a revert moved the
    instance onto a dead source), or whose live host never acted on it (a lost cast); and
    for one holding an instance no recovery decided on (a live migration to it had
    completed in the hypervisor just before it died)."""
    fenced = {host.name for host in db.host_list() if host.maintenance_state == fencing.FENCED}
    if not fenced:
        return
    involved = {host for migration in db.migration_list(filters={"open": True,
                                                                 "changes_before": cutoff})
                if migration.migration_type in _STEPPED
                for host in (migration.source_host, migration.dest_host) if host in fenced}
    involved |= {host for host in fenced - involved if _holds_undecided(host)}
    for host in sorted(involved):
        if _silent(host):
            recover_host(host, rpcapi)


def _holds_undecided(host):
    """Whether an idle instance on ``host`` waits for a decision ``recover_host`` makes
    (not while the host's fence is still under way: it recovers the host when done)."""
    if host_fences.get(host) is not None:
        return False
    handled = _handled_since_fence(host)
    return any(instance.uuid not in handled and instance.task_state is None
               and db.migration_open_for_instance(instance.uuid) is None
               for instance in db.instance_list(filters={"host": host}))


_STEPPED = (states.COLD_MIGRATION, states.RESIZE_MIGRATION)


def _silent(host):
    """Whether the host's compute worker is still silent (it may run again once the host
    is back, before an admin unfences it: then it finishes its own steps)."""
    cutoff = models.utcnow() - datetime.timedelta(
        seconds=CONF.ha.fence_intervals * CONF.report_interval)
    return all(service.forced_down or service.last_seen_up is None
               or service.last_seen_up < cutoff
               for service in db.service_list(host=host, binary="godwit-compute"))


# --- target: take over and start -------------------------------------------------------------


def recover(manager, migration_uuid):
    """Target: starts the instance here from its shared disks (idempotent: a recovery that
    ended, or is not this host's, is left alone)."""
    migration = db.migration_get(migration_uuid)
    if migration.status != states.LIVE_RUNNING or migration.dest_host != manager.host:
        return
    try:
        instance = db.instance_get(migration.instance_uuid)
    except exception.InstanceNotFound:
        _end(migration, states.MIGRATION_ERROR, "the instance was deleted")
        return
    try:
        leases.acquire(instance.uuid, instance.storage_kind, manager.host)
        manager.driver.recover(instance, migration.source_host, migration.power_on)
    except Exception as err:  # noqa: BLE001 - the instance stays on the dead host
        LOG.exception("Recovering instance %s on %s failed", instance.uuid, manager.host)
        _fail(migration, instance, f"Recovery on host {manager.host} after host "
                                   f"{migration.source_host} was fenced failed: {err}")
        return
    _finish(manager, migration, instance)


def _end(migration, status, error=None, session=None):
    states.check_transition(migration.status, status)
    return db.migration_update(migration.uuid, {"status": status, "error": error},
                               expected={"status": states.LIVE_RUNNING}, session=session)


def _finish(manager, migration, instance):
    running = migration.power_on
    with writer() as session:
        if not _end(migration, states.FINISHED, session=session):
            return
        db.instance_update(instance.uuid, {
            "host": manager.host, "node": manager.host, "task_state": None,
            "vm_state": states.ACTIVE if running else states.STOPPED,
            "power_state": states.RUNNING if running else states.SHUTDOWN},
            expected={"task_state": states.REBUILDING, "host": migration.source_host},
            session=session)
        db.host_release(session, migration.source_host, *resource_tracker.needs(instance))
    events.record(migration.source_host, events.RECOVER_OK, f"runs on {manager.host}"
                  if running else f"moved to {manager.host} (it was stopped)", instance.uuid)
    firewall.sync(manager.driver, instance.uuid)


def _fail(migration, instance, message):
    with writer() as session:
        if not _end(migration, states.MIGRATION_ERROR, message, session=session):
            return
        db.instance_update(instance.uuid, {"task_state": None, "vm_state": states.ERROR,
                                           "power_state": states.SHUTDOWN},
                           expected={"task_state": states.REBUILDING}, session=session)
        db.host_release(session, migration.dest_host, *resource_tracker.needs(instance))
        db.instance_add_fault(instance.uuid, 500, message, session=session)
    events.record(migration.source_host, events.RECOVER_FAILED, message, instance.uuid)
