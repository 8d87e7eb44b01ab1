"""Queries for host flushes (``host_flushes``, one row per host) and the host's maintenance
state, which a flush request and its runner change together."""
from sqlalchemy import select, update

from godwit.db import models
from godwit.db.session import reader, writer


def get(host):
    """The host's last flush or unflush, or None if it never had one."""
    with reader() as session:
        return session.scalars(select(models.HostFlush)
                               .where(models.HostFlush.host == host)).first()


def begin(host, kind, concurrency, maintenance_state, allowed_states):
    """Records a new request for ``host`` (its generation one more than the last, so a
    runner of an earlier one stops) and moves the host to ``maintenance_state``; None,
    with nothing changed, unless the host is in one of ``allowed_states``."""
    with writer() as session:
        moved = session.execute(
            update(models.Host)
            .where(models.Host.name == host,
                   models.Host.maintenance_state.in_(allowed_states))
            .values(maintenance_state=maintenance_state, updated_at=models.utcnow()))
        if moved.rowcount != 1:
            return None
        row = session.scalars(select(models.HostFlush)
                              .where(models.HostFlush.host == host)).first()
        if row is None:
            row = models.HostFlush(host=host, generation=0)
            session.add(row)
        row.kind, row.generation, row.concurrency = kind, row.generation + 1, concurrency
        row.total, row.done, row.current, row.failures = 0, 0, [], []
        row.stopped = row.stopped or []
        row.finished_at = None
        session.flush()
        return row


def update_progress(host, generation, values):
    """Sets ``values`` on the host's flush if it is still ``generation``; True if so."""
    with writer() as session:
        return _update(session, host, generation, values)


def finish(host, generation, from_state, to_state):
    """Ends the flush of ``generation`` and moves the host from ``from_state`` to
    ``to_state`` (a host fenced meanwhile stays fenced); False (nothing changed) if a
    newer request replaced it."""
    with writer() as session:
        if not _update(session, host, generation, {"finished_at": models.utcnow()}):
            return False
        session.execute(update(models.Host)
                        .where(models.Host.name == host,
                               models.Host.maintenance_state == from_state)
                        .values(maintenance_state=to_state, updated_at=models.utcnow()))
        return True


def _update(session, host, generation, values):
    result = session.execute(
        update(models.HostFlush)
        .where(models.HostFlush.host == host, models.HostFlush.generation == generation)
        .values(updated_at=models.utcnow(), **values))
    return result.rowcount == 1
