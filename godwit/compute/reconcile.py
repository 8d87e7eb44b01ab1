"""Repairs what a crash or a lost message left on this host (the database is the truth).

At start every in-between state is rolled forward or back; periodically the same is done
for instances whose task has been stuck longer than a reconcile interval, VMs that the
database says are gone are destroyed, the host's usage counters are recounted, and its
security group rulesets are made to agree with the database (compute.firewall).
Migrations are resumed by ``migration.resume``; an instance in a migration's task is left
to it, except ``resize_prep`` with no migration row (the destination never got to it).
An instance being recovered elsewhere (``rebuilding``) is left to the HA monitor, which
sends its recovery again until the target finishes it (godwit.ha.recovery).
"""
import datetime

from oslo_log import log as logging

from godwit.compute import (
    build,
    firewall,
    live_migration,
    migration,
    resource_tracker,
    states,
    terminate,
)
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.virt.driver import InstanceRef

LOG = logging.getLogger(__name__)

_POWER_TO_VM_STATE = {states.RUNNING: states.ACTIVE, states.SHUTDOWN: states.STOPPED,
                      states.SUSPENDED: states.SUSPENDED_VM}


def recover_instance(manager, instance):
    """Brings one instance of this host out of an interrupted task."""
    task = instance.task_state
    if task == states.DELETING:
        terminate.terminate(manager, instance.uuid)
    elif task == states.SPAWNING:
        _recover_spawn(manager, instance)
    elif task == states.LIVE_MIGRATING_TASK:
        live_migration.settle(manager, instance)
    elif task == states.REBUILDING:
        LOG.info("Instance %s is being recovered on another host; leaving it", instance.uuid)
    elif task in states.MIGRATION_TASKS:
        if task == states.RESIZE_PREP and db.migration_open_for_instance(instance.uuid) is None:
            LOG.warning("Migration of instance %s never reached a destination", instance.uuid)
            _sync_power_state(manager, instance, task)
    elif task is not None:
        _sync_power_state(manager, instance, task)


def _recover_spawn(manager, instance):
    if manager.driver.get_power_state(instance) == states.RUNNING:
        db.instance_update(instance.uuid, {"vm_state": states.ACTIVE, "task_state": None,
                                           "power_state": states.RUNNING,
                                           "launched_at": models.utcnow()},
                           expected={"task_state": states.SPAWNING})
    else:
        build.fail(instance, "The compute service restarted while the instance was built.",
                   states.SPAWNING, release_host=manager.host)


def _sync_power_state(manager, instance, task):
    """The instance (in ``task``, or idle if None) takes the hypervisor's power state; it
    goes to ERROR if its VM is gone."""
    power_state = manager.driver.get_power_state(instance)
    vm_state = _POWER_TO_VM_STATE.get(power_state)
    if vm_state is None:
        when = f"after '{task}'" if task else "(the hypervisor has no running, stopped or " \
                                              "suspended VM for it)"
        build.fail(instance, f"Instance is missing from its host {when}.", task)
        return
    if (vm_state, power_state, task) != (instance.vm_state, instance.power_state, None):
        LOG.info("Instance %s was %s in task %s; hypervisor says %s: now %s", instance.uuid,
                 instance.vm_state, task, states.POWER_STATE_NAMES[power_state], vm_state)
    db.instance_update(instance.uuid, {"vm_state": vm_state, "power_state": power_state,
                                       "task_state": None}, expected={"task_state": task})


def sync_power_states(manager):
    """Every idle running, stopped or suspended instance of this host takes the power state
    the hypervisor reports: it may have changed while the worker was not looking (its
    cluster was unmanaged)."""
    for instance in db.instance_list(filters={"host": manager.host}):
        if instance.task_state is None and instance.vm_state in _POWER_TO_VM_STATE.values():
            manager.try_with_instance_lock(instance.uuid, _sync_power_state, manager,
                                           instance, None)


def recover_all(manager):
    """At start, before taking work: every instance task left behind is stale.

    Quick: migrations are resumed afterwards, in the background (``resume_migrations``),
    since their steps may copy disks for a long time. A ``resize_prep`` may still be on
    its way to a destination, so it waits like the periodic pass does.
    """
    for instance in db.instance_list(filters={"host": manager.host}):
        if instance.task_state not in (None, states.RESIZE_PREP):
            manager.with_instance_lock(instance.uuid, recover_instance, manager, instance)
    _tidy(manager, db.instance_list(filters={"host": manager.host}))


def resume_migrations(manager):
    """Once the worker takes work: every migration step this host owns, stuck or not."""
    migration.resume(manager, only_stale=False)


def reconcile(manager):
    """Periodic: stuck tasks and migrations, orphan VMs and usage counters."""
    stale_before = models.utcnow() - datetime.timedelta(seconds=CONF.compute.reconcile_interval)
    live = db.instance_list(filters={"host": manager.host})
    for instance in live:
        stuck = instance.task_state not in (None, states.SPAWNING) and \
            (instance.updated_at or instance.created_at) < stale_before
        if stuck:
            manager.try_with_instance_lock(instance.uuid, recover_instance, manager, instance)
    migration.resume(manager, only_stale=True)
    _tidy(manager, live)


def _tidy(manager, live):
    _remove_leftovers(manager, {instance.uuid for instance in live})
    resource_tracker.audit(manager.host)
    resource_tracker.report_load(manager.driver)
    firewall.refresh_host(manager)


def _remove_leftovers(manager, live_uuids):
    """VMs no live instance owns, and migration leftovers no open migration needs.

    Holding the instance's lock keeps this host's own migration steps out; a destination's
    received disks are protected by the open-migration check made under that lock. What
    an ended migration still leaves to this host (``next_step_host``) is its clean-up's:
    a source that was fenced mid-migration puts its set-aside original back there.
    """
    migrating = {m.instance_uuid for m in db.migration_list(
        filters={"host": manager.host, "open": True})} | \
        {m.instance_uuid for m in db.migration_list(filters={"next_step_host": manager.host})}
    for uuid in set(manager.driver.list_instances()) - migrating:
        if uuid in live_uuids:
            manager.try_with_instance_lock(uuid, manager.driver.cleanup_migration,
                                           InstanceRef(uuid), True)
        else:
            manager.try_with_instance_lock(uuid, _destroy_if_still_orphan, manager, uuid)


def _destroy_if_still_orphan(manager, uuid):
    open_migration = db.migration_open_for_instance(uuid)
    if open_migration is not None and manager.host in (open_migration.source_host,
                                                       open_migration.dest_host):
        return
    live = {instance.uuid for instance in db.instance_list(filters={"host": manager.host})}
    if uuid not in live:
        manager.driver.destroy(InstanceRef(uuid))
        LOG.warning("Destroyed VM %s: the database has no live instance for it here", uuid)

