"""Deleting an instance on this host: destroy the VM, then free its claim and its row."""
from oslo_log import log as logging

from godwit import exception
from godwit.compute import resource_tracker
from godwit.db import api as db
from godwit.db.session import writer

LOG = logging.getLogger(__name__)


def terminate(driver, host, instance_uuid):
    try:
        instance = db.instance_get(instance_uuid)
    except exception.InstanceNotFound:
        return
    driver.destroy(instance)
    with writer() as session:
        if db.instance_mark_deleted(instance.uuid, session) and instance.host == host:
            db.host_release(session, host, *resource_tracker.needs(instance))
    LOG.info("Deleted instance %s", instance_uuid)
