"""Deleting an instance: destroy the VM on its host, then forget the row and the claim."""
from oslo_log import log as logging

from godwit import exception
from godwit.compute import firewall, migration, resource_tracker
from godwit.context import get_admin_context
from godwit.db import api as db
from godwit.db.session import writer
from godwit.ha import leases

LOG = logging.getLogger(__name__)


def terminate(manager, instance_uuid):
    """On the instance's host: destroy the VM, then forget the instance."""
    try:
        instance = db.instance_get(instance_uuid)
    except exception.InstanceNotFound:
        return
    manager.driver.destroy(instance)
    forget(instance, manager.compute_rpcapi, acting_host=manager.host)
    firewall.sync(manager.driver, instance_uuid)


def forget(instance, compute_rpcapi, acting_host=None):
    """Marks the instance deleted and gives back its claims, in one transaction.

    An open migration ends with it; the other host of that migration is told to remove
    what it holds of the instance. Also used by the API for an instance no running compute
    service can delete (never built, or its host is down); if that host comes back with
    the VM, its reconciler destroys what the database says is gone.
    """
    with writer() as session:
        leftovers = migration.end_for_deleted_instance(session, instance, acting_host)
        if db.instance_mark_deleted(instance.uuid, session) and instance.host:
            db.host_release(session, instance.host, *resource_tracker.needs(instance))
    leases.forget(instance.uuid)
    if leftovers:
        open_migration, host = leftovers
        compute_rpcapi.advance_migration(get_admin_context(), host, open_migration)
    LOG.info("Deleted instance %s", instance.uuid)
