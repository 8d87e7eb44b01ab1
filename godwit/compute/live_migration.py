"""Live migration inside a cluster (a XenServer pool with shared storage): every check and
step in one place (doc/live-migration.md).

    API      checks: hypervisor XenServer, disks on shared storage, destination another
             host of the source's cluster, instance running, destination able to take it
             (up, enabled at every level, room for the flavor, under its guest limit);
             then one transaction: task ``migrating``, the destination's claim, and the
             migration (type live-migration, status ``running``); casts the source
    source   the driver moves the VM (``VM.pool_migrate``); then one transaction: the
             instance moves to the destination, the source's claim is freed -> finished.
             If the move fails the instance keeps running on the source, the destination's
             claim is freed and a fault names the host -> error
    restart  ``settle`` (at start, or periodically for a task stuck longer than a reconcile
             interval) asks the hypervisor where the VM runs now and finishes either way.
    fenced   a destination fenced (confirmed off) mid-way: the HA leader sends the migration
             to the source again, which asks the hypervisor where the VM is. On the source:
             error, as after a failure. Anywhere else (the move completed just before the
             destination died, so the VM ran there and died with it): finished, and the
             instance is the dead destination's, which the leader recovers
             (godwit.ha.recovery).

Unlike a cold migration nothing is copied, so there is a single step and no
``next_step_host``: the source owns the migration from start to end.
"""
from oslo_log import log as logging

from godwit import context, exception
from godwit.compute import firewall, homes, resource_tracker, states
from godwit.compute.migration import current_flavor
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.db.session import writer
from godwit.ha import events, leases
from godwit.scheduler import filters
from godwit.scheduler.filters import compute, guests, resources
from godwit.scheduler.host_state import HostStateCache
from godwit.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

XENSERVER = virt_driver.driver_class("xenapi").hypervisor_type
FENCED = "fenced"  # godwit.ha.fencing.FENCED (that module imports this one)


class _Interrupted(Exception):
    """The instance changed meanwhile (it is being deleted): undo the transaction."""


# --- checks ----------------------------------------------------------------------------------

def _source(instance):
    """The instance's host, as a ``hierarchy.Placed``; 409 if it is on none (not running)."""
    if instance.host is None:
        raise _not_running(instance)
    return hierarchy.placed_get(models.Host, instance.host, by_name=True)


def check_movable(instance):
    """The source host if the instance's kind allows live migration at all, else a 409."""
    source = _source(instance)
    if source.row.hypervisor_type != XENSERVER:
        raise exception.Conflict(
            f"Instance {instance.uuid} cannot be live-migrated: its host {source.row.name} "
            f"runs hypervisor {source.row.hypervisor_type}, and live migration needs "
            "XenServer.")
    if instance.storage_kind != "shared":
        raise exception.Conflict(
            f"Instance {instance.uuid} cannot be live-migrated: its disks are on local "
            f"storage of host {source.row.name}; only an instance on shared storage can.")
    return source


def _not_running(instance):
    status = states.status_of(instance.vm_state, instance.task_state)
    return exception.Conflict(f"Instance {instance.uuid} cannot be live-migrated: it is not "
                              f"running (status {status}); only an ACTIVE server can.")


def _check_running(instance):
    if instance.vm_state not in states.LIVE_MIGRATE.vm_states or \
            instance.task_state is not None or instance.power_state != states.RUNNING:
        raise _not_running(instance)


def _cluster_hosts(source):
    """The other hosts of the source's cluster, in creation order (none if in no cluster)."""
    cluster = source.parents["cluster_id"]
    if cluster is None:
        return []
    return [placed for placed in hierarchy.placed_list(models.Host, {"cluster_id": cluster})
            if placed.row.name != source.row.name]


def _destination(ref, instance, source):
    """The destination named by id or name: another host of the source's cluster (400)."""
    try:
        dest = hierarchy.placed_get(models.Host, ref)
    except exception.PlacementNotFound:
        try:
            dest = hierarchy.placed_get(models.Host, ref, by_name=True)
        except exception.PlacementNotFound as err:
            raise exception.Invalid(f"Invalid host: {err.message}") from err
    if dest.row.name == source.row.name:
        raise exception.Invalid(f"Invalid host: instance {instance.uuid} already runs on "
                                f"{dest.row.name}.")
    if source.parents["cluster_id"] is None or \
            dest.parents["cluster_id"] != source.parents["cluster_id"]:
        raise exception.Invalid(
            f"Invalid host: {dest.row.name} is not in the cluster of the instance's host "
            f"{source.row.name}; live migration moves an instance only inside its cluster.")
    return dest


# --- can a host take the instance? -------------------------------------------------------------

def _spec(instance):
    """What the destination must have free: the disks stay where they are (shared)."""
    vcpus, memory_mb, _ = resource_tracker.needs(instance)
    return {"vcpus": vcpus, "memory_mb": memory_mb, "disk_gb": 0}


def _host_states():
    """{host name: scheduler HostState}, read from the database now."""
    cache = HostStateCache()
    with cache.lock:
        return {state.name: state for state in cache.ranking().states}


# The scheduler's refusals (doc/placement.md) a live migration's destination must pass:
# not the disk (it stays on the shared SR) nor the image (the VM exists already).
_REFUSALS = (compute.compute_refusal, resources.core_refusal, resources.ram_refusal,
             guests.max_guests_refusal)


def _refusal(state, spec):
    """Why the host cannot take the instance now, or None."""
    return filters.refusal(_REFUSALS, state, spec)


# --- hosts for migration -----------------------------------------------------------------------

def hosts_for(instance, start, limit):
    """(total, the page of other cluster hosts as Placed rows, ids of every one that could
    take the instance now)."""
    others = _cluster_hosts(check_movable(instance))
    suitable = [placed.row.uuid for placed in _suitable(instance, others)]
    return len(others), others[start:start + limit], suitable


def _suitable(instance, hosts):
    """Those of ``hosts`` (Placed rows) that could take the instance now, in order."""
    host_states, spec = _host_states(), _spec(instance)
    return [placed for placed in hosts if placed.row.name in host_states
            and _refusal(host_states[placed.row.name], spec) is None]


# --- API: checks, then the claim and the migration row -----------------------------------------

def begin(instance, source, host_ref):
    """After ``check_movable`` (which gave ``source``): checks the destination and the
    instance, then claims the destination and records the migration (409/400 and nothing
    changed when a check fails). Returns the migration.

    Without ``host_ref`` (Nova's os-migrateLive with a null host) the destination is the
    first host of the cluster that can take the instance."""
    _check_running(instance)
    if host_ref is None:
        return _claim(instance, _first_suitable(instance, source))
    dest = _destination(host_ref, instance, source)
    state = _host_states().get(dest.row.name)
    why = "its compute service has never started" if state is None else \
        _refusal(state, dict(_spec(instance), force_hosts=[dest.row.name]))
    if why:
        raise exception.Conflict(f"Host {dest.row.name} cannot take instance "
                                 f"{instance.uuid}: {why}.")
    return _claim(instance, dest.row.name)


def _first_suitable(instance, source):
    suitable = _suitable(instance, _cluster_hosts(source))
    if not suitable:
        raise exception.Invalid(f"No valid host was found: no other host of the cluster of "
                                f"{source.row.name} can take instance {instance.uuid}.")
    return suitable[0].row.name


def _claim(instance, dest):
    with writer() as session:
        action = states.LIVE_MIGRATE
        if not db.instance_update(instance.uuid, {"task_state": action.task_state,
                                                  "progress": 0},
                                  expected={"vm_state": action.vm_states, "task_state": None,
                                            "host": instance.host}, session=session):
            raise _not_running(db.instance_get(instance.uuid))
        if not db.host_claim(session, dest, *resource_tracker.needs(instance)):
            raise exception.Conflict(f"Host {dest} cannot take instance {instance.uuid}: "
                                     "it has no room left for its flavor.")
        flavor = current_flavor(instance)
        return db.migration_create(session, {
            "instance_uuid": instance.uuid, "migration_type": states.LIVE_MIGRATION,
            "status": states.LIVE_RUNNING, "source_host": instance.host, "dest_host": dest,
            "next_step_host": None, "old_flavor": flavor, "new_flavor": flavor,
            "power_on": True, "automatic": homes.is_automatic(instance.host)})


# --- source: the move --------------------------------------------------------------------------

def run(manager, migration_uuid):
    """Source: moves the VM and records the outcome (idempotent: a migration that ended or
    is not this host's is left alone)."""
    migration = db.migration_get(migration_uuid)
    if migration.status != states.LIVE_RUNNING or migration.source_host != manager.host:
        return
    try:
        instance = db.instance_get(migration.instance_uuid)
    except exception.InstanceNotFound:
        return
    if _fenced(migration.dest_host):
        _settle(manager, migration, instance)
        return
    try:
        manager.driver.live_migrate(instance, migration.dest_host)
    except Exception as err:  # noqa: BLE001 - any failure leaves the instance on the source
        LOG.exception("Live migration %s of instance %s to %s failed", migration.uuid,
                      instance.uuid, migration.dest_host)
        _fail(migration, instance, f"Live migration to host {migration.dest_host} failed: "
                                   f"{err}. The instance still runs on {manager.host}.")
        return
    _finish(manager, migration, instance)


def _end(session, migration, status, error=None):
    states.check_transition(migration.status, status)
    return db.migration_update(migration.uuid, {"status": status, "error": error},
                               expected={"status": states.LIVE_RUNNING}, session=session)


def _finish(manager, migration, instance):
    """The instance runs on the destination: it moves there, the source's claim is freed;
    its security group rules leave the source's backend for the destination's."""
    try:
        with writer() as session:
            if not _end(session, migration, states.FINISHED):
                return False
            if not db.instance_update(instance.uuid, {
                    "host": migration.dest_host, "node": migration.dest_host,
                    "task_state": None, "progress": 100},
                    expected={"task_state": states.LIVE_MIGRATING_TASK,
                              "host": migration.source_host}, session=session):
                raise _Interrupted()
            homes.arrived(instance.uuid, migration.source_host, migration.dest_host,
                          forced=not migration.automatic, session=session)
            db.host_release(session, migration.source_host,
                            *resource_tracker.needs(instance))
    except _Interrupted:
        LOG.info("Instance %s changed during its live migration; the delete ends it",
                 instance.uuid)
        return False
    leases.take_over(instance.uuid, instance.storage_kind, migration.source_host,
                     migration.dest_host)
    LOG.info("Live migration %s: instance %s now runs on %s", migration.uuid,
             instance.uuid, migration.dest_host)
    firewall.sync(manager.driver, instance.uuid)
    manager.compute_rpcapi.refresh_firewall(context.get_admin_context(), migration.dest_host,
                                            [instance.uuid])
    return True


def _fail(migration, instance, message, vm_state=states.ACTIVE):
    """The instance stays on the source (in ``vm_state``), the destination's claim is freed,
    and a fault says why."""
    with writer() as session:
        if not _end(session, migration, states.MIGRATION_ERROR, error=message):
            return False
        db.instance_update(instance.uuid, {"task_state": None, "progress": 0,
                                           "vm_state": vm_state},
                           expected={"task_state": states.LIVE_MIGRATING_TASK},
                           session=session)
        db.host_release(session, migration.dest_host, *resource_tracker.needs(instance))
        db.instance_add_fault(instance.uuid, 500, message, session=session)
    return True


# --- a fenced host (godwit.ha.recovery) ----------------------------------------------------------

def end_for_fenced_source(session, migration, instance, message):
    """The source was fenced: the migration ends and the destination's claim is freed, in
    ``session``, where the recovery that takes the instance over follows."""
    if not _end(session, migration, states.MIGRATION_ERROR, error=message):
        return False
    db.host_release(session, migration.dest_host, *resource_tracker.needs(instance))
    return True


def _fenced(host):
    return db.host_get(host).maintenance_state == FENCED


# --- recovery ----------------------------------------------------------------------------------

def settle(manager, instance):
    """Source, for an instance left in ``migrating`` (a restart, a lost cast): finishes the
    live migration the way the hypervisor says it went."""
    migration = db.migration_open_for_instance(instance.uuid)
    if migration is None or migration.migration_type != states.LIVE_MIGRATION:
        db.instance_update(instance.uuid, {"task_state": None},
                           expected={"task_state": states.LIVE_MIGRATING_TASK})
        return
    _settle(manager, migration, instance)


def _settle(manager, migration, instance):
    source, dest = migration.source_host, migration.dest_host
    where = manager.driver.live_migration_location(instance)
    LOG.warning("Live migration %s of instance %s was interrupted; its VM runs on %s",
                migration.uuid, instance.uuid, where)
    if _fenced(dest):
        _settle_for_fenced_destination(manager, migration, instance, where)
    elif where == dest:
        manager.driver.live_migrate(instance, dest)  # hands the VM over
        _finish(manager, migration, instance)
    elif where == source:
        _fail(migration, instance,
              f"Live migration to host {dest} was interrupted (the compute service "
              f"restarted or the request was lost); the instance still runs on {source}.")
    else:
        _fail(migration, instance,
              f"Live migration to host {dest} was interrupted and the instance's VM runs "
              "on no host now.", vm_state=states.ERROR)


def _settle_for_fenced_destination(manager, migration, instance, where):
    """The destination was fenced. A VM still on the source stays there (error, as after a
    failure); one that is not ran on the destination (the move completed just before it
    died) or died with it: the migration finished, and the instance, now the dead
    destination's, is recovered from there by the HA leader."""
    dest = migration.dest_host
    if where == migration.source_host:
        message = (f"Live migration {migration.uuid} ended: host {dest} was fenced. The "
                   f"instance still runs on {where}.")
        ended = _fail(migration, instance, message)
    else:
        message = (f"Live migration {migration.uuid} had moved the instance to host {dest} "
                   "before it was fenced: it is recovered from there.")
        ended = _finish(manager, migration, instance)
    if ended:
        events.record(dest, events.MIGRATION_ENDED, message, instance.uuid)
