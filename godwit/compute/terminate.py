"""Deleting an instance: destroy the VM on its host, then forget the row and the claim."""
from oslo_log import log as logging

from godwit import exception
from godwit.compute import resource_tracker
from godwit.db import api as db
from godwit.db.session import writer

LOG = logging.getLogger(__name__)


def terminate(driver, instance_uuid):
    """On the instance's host: destroy the VM, then forget the instance."""
    try:
        instance = db.instance_get(instance_uuid)
    except exception.InstanceNotFound:
        return
    driver.destroy(instance)
    forget(instance)


def forget(instance):
    """Marks the instance deleted and gives back its claim, in one transaction.

    Also used by the API for an instance no running compute service can delete (never
    built, or its host is down); if that host comes back with the VM, its reconciler
    destroys what the database says is gone.
    """
    with writer() as session:
        if db.instance_mark_deleted(instance.uuid, session) and instance.host:
            db.host_release(session, instance.host, *resource_tracker.needs(instance))
    LOG.info("Deleted instance %s", instance.uuid)
