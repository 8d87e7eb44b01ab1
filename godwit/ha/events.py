"""The HA monitor's event log: what it saw and did, per host and instance, in the database
so that admins (``GET /admin/v1/ha/events``, ``godwit ha events``) and tests can read it."""
from oslo_log import log as logging
from sqlalchemy import select

from godwit.db import models
from godwit.db.session import reader, writer

LOG = logging.getLogger(__name__)

SUSPECT = "suspect"              # missed heartbeats: saving throws start
CLEARED = "cleared"              # a heartbeat came back during the saving throws
FENCE_START = "fence-start"
FENCE_OK = "fence-ok"            # the BMC confirmed the chassis off
FENCE_FAILED = "fence-failed"
LEASES_BROKEN = "leases-broken"
RECOVER_START = "recover-start"  # an instance was sent to a target host
RECOVER_OK = "recover-ok"        # it runs there
RECOVER_FAILED = "recover-failed"
NOT_RECOVERED = "not-recovered"  # local storage, no target host, or a build never started
MIGRATION_ENDED = "migration-ended"  # a migration with the dead host ended or handed over
DELETE_FINISHED = "delete-finished"  # a delete the dead host never finished
LEADER = "leader"                # this scheduler took over the monitor
RESUMED = "resumed"              # a leader carries on a suspicion or a fence it found

EVENTS = (SUSPECT, CLEARED, FENCE_START, FENCE_OK, FENCE_FAILED, LEASES_BROKEN,
          RECOVER_START, RECOVER_OK, RECOVER_FAILED, NOT_RECOVERED, MIGRATION_ENDED,
          DELETE_FINISHED, LEADER, RESUMED)


def record(host, event, message=None, instance_uuid=None):
    LOG.warning("HA %s: host %s%s%s", event, host,
                f", instance {instance_uuid}" if instance_uuid else "",
                f": {message}" if message else "")
    with writer() as session:
        session.add(models.HAEvent(host=host, event=event, message=message,
                                   instance_uuid=instance_uuid))


def list_events(host=None, limit=None):
    """The last ``limit`` events (all without one), oldest first."""
    query = select(models.HAEvent).order_by(models.HAEvent.id.desc()).limit(limit)
    if host is not None:
        query = query.where(models.HAEvent.host == host)
    with reader() as session:
        return list(reversed(list(session.scalars(query))))
