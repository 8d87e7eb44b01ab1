"""Disk leases: which host may write an instance's shared disks.

A shared-storage instance's disks are visible to every host of its cluster, so nothing but
this lease stops two hosts from running it at once. The host that starts the VM (spawn,
start, resume, reboot, recovery) acquires the lease first, a migration hands it over; a lease
another host holds blocks it while that host is live (its compute service is up and it is
not fenced). A fenced host's leases are broken only once its BMC confirmed it off
(``godwit.ha.fencing``). One lease covers all of an instance's shared disks.
"""
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from godwit import exception
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import reader, writer


class LeaseHeld(exception.Conflict):
    msg_fmt = ("The disks of instance %(instance)s are leased to host %(holder)s, which is "
               "still live: they cannot be used on %(host)s.")


def holder(instance_uuid):
    """The host holding the instance's lease, or None."""
    with reader() as session:
        return session.scalar(select(models.DiskLease.host).where(
            models.DiskLease.instance_uuid == instance_uuid))


def acquire(instance_uuid, storage_kind, host):
    """Leases the instance's disks to ``host`` if they are shared (renewed if it holds
    them already; taken over from a host that is not live).

    Raises LeaseHeld when another live host holds them, or won the race for them."""
    if storage_kind != "shared":
        return
    table = models.DiskLease.__table__
    current = holder(instance_uuid)
    if current is not None and current != host and _is_live(current):
        raise LeaseHeld(instance=instance_uuid, holder=current, host=host)
    try:
        with writer() as session:
            if current is None:
                session.execute(insert(table), [{"instance_uuid": instance_uuid, "host": host,
                                                 "acquired_at": models.utcnow()}])
                return
            taken = session.execute(update(table).where(
                table.c.instance_uuid == instance_uuid, table.c.host == current).values(
                host=host, acquired_at=models.utcnow())).rowcount
    except IntegrityError:
        taken = 0
    if not taken:
        raise LeaseHeld(instance=instance_uuid, holder=holder(instance_uuid), host=host)


def take_over(instance_uuid, storage_kind, source, dest):
    """A migration moves the instance from ``source`` to ``dest`` (or a revert back):
    ``source``'s lease passes to ``dest`` (a lease another host took meanwhile stays and
    refuses ``dest``), and ``dest`` holds it if the disks are shared there."""
    table = models.DiskLease.__table__
    with writer() as session:
        session.execute(update(table).where(
            table.c.instance_uuid == instance_uuid, table.c.host == source).values(
            host=dest, acquired_at=models.utcnow()))
    acquire(instance_uuid, storage_kind, dest)


def forget(instance_uuid):
    """The instance was deleted: its disks are gone, and so is their lease."""
    table = models.DiskLease.__table__
    with writer() as session:
        session.execute(delete(table).where(table.c.instance_uuid == instance_uuid))


def break_host(host):
    """Drops every lease of ``host``: call ONLY once the host is confirmed powered off.
    Returns how many there were."""
    table = models.DiskLease.__table__
    with writer() as session:
        return session.execute(delete(table).where(table.c.host == host)).rowcount


def _is_live(host):
    try:
        if db.host_get(host).maintenance_state == "fenced":
            return False
    except exception.HostNotFound:
        return False
    return any(db.service_is_up(service, CONF.service_down_time)
               for service in db.service_list(host=host, binary="godwit-compute"))
