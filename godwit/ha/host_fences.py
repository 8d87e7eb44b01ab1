"""The HA monitor's record of each host it deals with, in the database (``host_fences``), so
that whichever scheduler leads carries on where the last one stopped.

A row lives from suspicion to recovery: ``suspect`` (with the deadline its saving throws
run out at) → ``fencing`` (a monitor runs the BMC fence) → ``fenced`` (the power-off was
confirmed: its instances are being recovered) → deleted. A heartbeat deletes a ``suspect``
row; a failed fence puts the row back to ``suspect`` with a new deadline. A fence or
recovery is *claimed* by the monitor carrying it out until ``claimed_until``: past that,
another monitor (a new leader) takes it over and runs the step again, so every step must
be idempotent. While a row is ``fencing`` it holds the one fencing ``slot`` (a unique
column): at most one host is fenced at a time, whichever scheduler fences it.

Every change is a compare-and-swap on the row as it was read: of two monitors acting on
one row (a leader and the one it replaced, still finishing a tick), one wins.
"""
import datetime

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from godwit.db import models
from godwit.db.session import reader, writer

SUSPECT, FENCING, FENCED = "suspect", "fencing", "fenced"

_TABLE = models.HostFence.__table__


def moment(seconds):
    """The naive UTC datetime of ``seconds`` since the epoch (a monitor's clock)."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).replace(tzinfo=None)


def pending():
    """Every row, those furthest on first (recoveries, then fences, then suspects)."""
    order = case({FENCED: 0, FENCING: 1}, value=_TABLE.c.status, else_=2)
    with reader() as session:
        return list(session.scalars(select(models.HostFence).order_by(order,
                                                                      models.HostFence.host)))


def get(host):
    with reader() as session:
        return session.scalar(select(models.HostFence).where(models.HostFence.host == host))


def suspect(host, reason, now, deadline):
    """Records ``host`` as suspect since ``now``; False if it already has a row."""
    try:
        with writer() as session:
            session.execute(insert(_TABLE), [{"host": host, "status": SUSPECT,
                                              "reason": reason, "suspect_since": now,
                                              "deadline": deadline}])
    except IntegrityError:
        return False
    return True


def clear(record):
    """A suspect host sent a heartbeat: its row goes. False if the row changed meanwhile."""
    with writer() as session:
        return session.execute(delete(_TABLE).where(*_unchanged(record))).rowcount == 1


def due(record, owner, now):
    """Whether ``owner`` should act on the row now: a suspect whose deadline has passed, or
    a fence or recovery that is its own, nobody's, or whose claim has lapsed."""
    if record.status == SUSPECT:
        return record.deadline <= now
    return record.owner in (None, owner) or record.claimed_until <= now


def claim(record, owner, until):
    """Claims the row for ``owner`` until ``until`` (a suspect starts fencing and takes the
    fencing slot). False if the row changed meanwhile or another host holds the slot."""
    values = {"owner": owner, "claimed_until": until}
    if record.status == SUSPECT:
        values.update(status=FENCING, slot=1)
    try:
        with writer() as session:
            return session.execute(update(_TABLE).where(*_unchanged(record))
                                   .values(**values)).rowcount == 1
    except IntegrityError:
        return False


def retry(host, owner, deadline):
    """The fence failed: the host is suspect again, fenced again at ``deadline``."""
    with writer() as session:
        session.execute(update(_TABLE).where(*_owned(host, owner, FENCING)).values(
            status=SUSPECT, deadline=deadline, owner=None, claimed_until=None, slot=None))


def confirm(session, host, owner):
    """The power-off was confirmed (or config says to go on without): ``fenced``, and the
    fencing slot is free for the next host. False if ``owner`` lost its claim."""
    return session.execute(update(_TABLE).where(*_owned(host, owner, FENCING)).values(
        status=FENCED, slot=None)).rowcount == 1


def finish(host, owner):
    """The host's instances were sent elsewhere: the monitor is done with it."""
    with writer() as session:
        session.execute(delete(_TABLE).where(*_owned(host, owner, FENCED)))


def _owned(host, owner, status):
    return _TABLE.c.host == host, _TABLE.c.owner == owner, _TABLE.c.status == status


def _unchanged(record):
    return (_TABLE.c.id == record.id, _TABLE.c.status == record.status,
            _TABLE.c.deadline == record.deadline,
            _TABLE.c.owner.is_not_distinct_from(record.owner),
            _TABLE.c.claimed_until.is_not_distinct_from(record.claimed_until))
