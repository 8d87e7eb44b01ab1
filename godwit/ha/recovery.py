"""Restarting a fenced host's instances on other hosts.

Leader side (``recover_host``), once the dead host is confirmed off: each instance on
shared storage gets a target (``targets.choose``); the target's resources are claimed, the
instance is put in ``rebuilding`` and an ``evacuation`` migration records the decision, all
in one transaction, before the target is told (``recover_instance`` cast). Instances on
local storage cannot be recovered: their disks are on the dead host. They stay there in
ERROR (powered off: the host was), with a fault saying why; once an admin brought the
host back (unfence), a hard reboot starts them again. The same goes for an instance no
host can take.

Target side (``recover``): takes the instance over from the dead host by compare-and-swap,
acquires its disk lease and starts its VM from the shared disks. Every step is idempotent:
``resend_stalled`` sends again a recovery no host finished (a lost cast, a crashed worker),
and the database says what was decided.
"""
import datetime

from oslo_log import log as logging
from sqlalchemy import select

from godwit import context, exception
from godwit.compute import firewall, resource_tracker, states, targets
from godwit.compute.migration import current_flavor
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import reader, writer
from godwit.ha import events, leases

LOG = logging.getLogger(__name__)

LOCAL_STORAGE_FAULT = ("Not recovered after host %s was fenced: the instance's disks are "
                       "on that host's local storage. It starts again once the host is back.")
NO_TARGET_FAULT = "Not recovered after host %s was fenced: %s"


# --- leader: decide and send ---------------------------------------------------------------


def recover_host(dead_host, rpcapi):
    """Sends every instance of ``dead_host`` that can be recovered to a target host: one of
    its cluster, the hosts that see its shared storage."""
    exclude = _outside_cluster_of(dead_host)
    for instance in db.instance_list(filters={"host": dead_host}):
        if instance.task_state == states.REBUILDING:
            continue  # already decided: resend_stalled follows it up
        if instance.storage_kind != "shared":
            _leave(instance, LOCAL_STORAGE_FAULT % dead_host)
            continue
        try:
            target = targets.choose(instance, exclude=exclude)
            migration = _decide(instance, target)
        except (targets.NoTarget, exception.Conflict) as err:
            _leave(instance, NO_TARGET_FAULT % (dead_host, err))
            continue
        events.record(dead_host, events.RECOVER_START, f"to {target}", instance.uuid)
        rpcapi.recover_instance(context.get_admin_context(), target, instance.uuid,
                                migration.uuid)


def _outside_cluster_of(host_name):
    """``host_name`` and every host of another cluster."""
    cluster_id = db.host_get(host_name).cluster_id
    return {host_name} | {host.name for host in db.host_list() if host.cluster_id != cluster_id}


def _decide(instance, target):
    """Claims ``target`` and records the recovery; Conflict if the instance changed or the
    target has no room left."""
    with writer() as session:
        changes = {"task_state": states.REBUILDING}
        if not instance.previous_host:
            changes["previous_host"] = instance.host
        if not db.instance_update(instance.uuid, changes,
                                  expected={"host": instance.host,
                                            "task_state": instance.task_state},
                                  session=session):
            raise exception.Conflict(f"instance {instance.uuid} changed meanwhile")
        if not db.host_claim(session, target, *resource_tracker.needs(instance)):
            raise exception.Conflict(f"host {target} has no room left for it")
        flavor = current_flavor(instance)
        return db.migration_create(session, {
            "instance_uuid": instance.uuid, "migration_type": states.EVACUATION,
            "status": states.LIVE_RUNNING, "source_host": instance.host, "dest_host": target,
            "next_step_host": None, "old_flavor": flavor, "new_flavor": flavor,
            "power_on": instance.vm_state != states.STOPPED, "automatic": True})


def _leave(instance, message):
    """The instance stays on its dead host, in ERROR and off, with a fault saying why."""
    with writer() as session:
        db.instance_update(instance.uuid, {"vm_state": states.ERROR, "task_state": None,
                                           "power_state": states.SHUTDOWN},
                           expected={"host": instance.host}, session=session)
        db.instance_add_fault(instance.uuid, 500, message, session=session)
    events.record(instance.host, events.NOT_RECOVERED, message, instance.uuid)


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
    return len(stalled)


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
