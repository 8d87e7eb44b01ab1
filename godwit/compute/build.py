"""Building an instance on this host: claim, spawn, and hand over to an alternate.

The claim (instance gets this host + host usage grows) is one transaction that fails as
a whole when the host has no room left; the build then moves to the next alternate the
scheduler offered, and goes to ERROR only when none is left (a build on a named host has
none: it never moves elsewhere).
"""
import datetime

from oslo_log import log as logging

from godwit.compute import firewall, resource_tracker, states
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from godwit.ha import leases

LOG = logging.getLogger(__name__)


class _NoRoom(Exception):
    pass


def claim(host, instance):
    """True if this host now owns the instance; False if it has no room.

    Returns None when the instance is no longer waiting for a host (deleted meanwhile).
    """
    try:
        with writer() as session:
            if not db.instance_update(instance.uuid,
                                      {"host": host, "node": host,
                                       "task_state": states.SPAWNING},
                                      expected={"host": None, "task_state": states.SCHEDULING},
                                      session=session):
                return None
            if not db.host_claim(session, host, *resource_tracker.needs(instance)):
                raise _NoRoom()  # rolls the instance update back
    except _NoRoom:
        return False
    return True


def build(context, manager, instance_uuid, alternates):
    try:
        instance = db.instance_get(instance_uuid)
    except Exception:  # noqa: BLE001 - deleted before we got to it: nothing to build
        LOG.info("Instance %s is gone; not building it", instance_uuid)
        return
    claimed = claim(manager.host, instance)
    if claimed is None:
        return
    if not claimed:
        _reschedule(context, manager, instance, alternates)
        return
    _spawn(manager, instance)


def _reschedule(context, manager, instance, alternates):
    if not alternates:
        LOG.warning("No host had room for instance %s", instance.uuid)
        fail(instance, f"No valid host was found. Host {manager.host} had no room left for "
                       "the instance when it claimed it, and no other host was offered "
                       "(none was left, or the request named this host).", states.SCHEDULING)
        return
    LOG.info("Host %s is full; trying %s for instance %s", manager.host, alternates[0],
             instance.uuid)
    manager.compute_rpcapi.build_and_run_instance(context, alternates[0], instance.uuid,
                                                  alternates[1:])


def _spawn(manager, instance):
    image = db.image_get(instance.image_ref, all_projects=True)
    try:
        leases.acquire(instance.uuid, manager.driver.storage_kind, manager.host)
        manager.driver.spawn(instance, image)
    except Exception as err:  # noqa: BLE001 - any driver failure puts the build in ERROR
        LOG.exception("Spawning instance %s failed", instance.uuid)
        manager.driver.destroy(instance)
        fail(instance, f"Build of instance failed: {err}", states.SPAWNING,
             release_host=manager.host)
        return
    done = db.instance_update(
        instance.uuid,
        {"vm_state": states.ACTIVE, "task_state": None, "power_state": states.RUNNING,
         "launched_at": models.utcnow(), "storage_kind": manager.driver.storage_kind},
        expected={"task_state": states.SPAWNING})
    if not done:
        LOG.info("Instance %s was deleted while it was built; removing it", instance.uuid)
        manager.driver.destroy(instance)
        return
    firewall.sync(manager.driver, instance.uuid)


def fail(instance, message, expected_task, release_host=None):
    """Puts an instance in ERROR with a fault if it is still in ``expected_task``.

    Gives back its claim on ``release_host`` in the same transaction.
    """
    with writer() as session:
        changes = {"vm_state": states.ERROR, "task_state": None}
        if release_host:
            changes.update(host=None, node=None)
        if not db.instance_update(instance.uuid, changes,
                                  expected={"task_state": expected_task},
                                  session=session):
            return
        if release_host:
            db.host_release(session, release_host, *resource_tracker.needs(instance))
        db.instance_add_fault(instance.uuid, 500, message, session=session)


def fail_lost_builds(timeout):
    """ERRORs builds that never reached a host within ``timeout`` seconds.

    They were lost between the API and a compute worker (a crash, a dropped cast). The
    compare-and-swap inside ``fail`` makes this safe to run from several schedulers.
    """
    cutoff = models.utcnow() - datetime.timedelta(seconds=timeout)
    lost = [i for i in db.instance_list(filters={"vm_state": states.BUILDING})
            if i.host is None and i.task_state == states.SCHEDULING and i.created_at < cutoff]
    for instance in lost:
        LOG.warning("Build of instance %s never reached a host; putting it in ERROR",
                    instance.uuid)
        fail(instance, f"The build did not reach a compute host within {timeout} seconds.",
             states.SCHEDULING)
    return len(lost)
