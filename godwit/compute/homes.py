"""An instance's home: ``previous_host`` remembers where it ran before godwit moved it away
on its own, so an unflush can bring it back (doc/ha.md, "previous_host").

    automatic move away (flush, fence)   sets previous_host to the source, only if empty
    forced move (an explicit migration)  leaves previous_host as it is
    any move onto previous_host          clears it: the instance is home again

A migration is automatic when its source host is being flushed or was fenced as the
migration begins (``is_automatic``, recorded on the migration row), so nothing has to be
passed through the move's messages and a restart finishes it the same way. A move that
brings an instance home (an unflush's) needs no mark: its destination is the instance's
previous_host until it ends (``brings_home``), and arriving clears it whether the move was
automatic or not.
"""
from godwit import exception
from godwit.db import api as db

# Source host maintenance states whose moves are automatic.
AUTOMATIC_SOURCE_STATES = ("flushing", "fenced")


def is_automatic(source_host):
    """Whether a move starting now from ``source_host`` is automatic."""
    try:
        return db.host_get(source_host).maintenance_state in AUTOMATIC_SOURCE_STATES
    except exception.HostNotFound:
        return False


def brings_home(migration, instance):
    """Whether ``migration``, not ended yet, takes ``instance`` back to its home: an
    unflush's move (or one an admin made that the unflush would have made)."""
    return bool(instance.previous_host) and migration.dest_host == instance.previous_host


def moved_away(instance_uuid, from_host, forced=False, session=None):
    """The instance left ``from_host``: it becomes its home unless it has one already or
    the move was forced."""
    if forced:
        return False
    return db.instance_update(instance_uuid, {"previous_host": from_host},
                              expected={"previous_host": (None, "")}, session=session)


def returned_home(instance_uuid, host, session=None):
    """The instance landed on ``host``: if that is its home, it no longer needs one."""
    return db.instance_update(instance_uuid, {"previous_host": None},
                              expected={"previous_host": host}, session=session)


def arrived(instance_uuid, from_host, to_host, forced, session=None):
    """A move from ``from_host`` to ``to_host`` finished: applies both rules above."""
    if not returned_home(instance_uuid, to_host, session=session):
        moved_away(instance_uuid, from_host, forced=forced, session=session)
