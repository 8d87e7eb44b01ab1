"""Revision 0007 on every supported database: host_fences (the HA monitor's suspicions and
fences) appears, admits one fencing host at a time, and goes again on downgrade."""
import datetime

import pytest
import sqlalchemy as sa

from godwit.db import migration, session
from tests.unit.db.conftest import downgrade

BEFORE = "0006"
NOW = datetime.datetime(2026, 11, 23, 9, 0, 0)
INSERT = sa.text("INSERT INTO host_fences (host, status, suspect_since, deadline, slot) "
                 "VALUES (:host, :status, :now, :now, :slot)")


def _tables():
    with session.get_engine().connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def test_upgrade_thendowngrade(database_before):
    migration.upgrade("0007")
    assert migration.current_revision() == "0007" and "host_fences" in _tables()
    with session.get_engine().begin() as connection:
        connection.execute(INSERT, {"host": "h1", "status": "fencing", "now": NOW, "slot": 1})
        connection.execute(INSERT, {"host": "h2", "status": "suspect", "now": NOW,
                                    "slot": None})
        connection.execute(INSERT, {"host": "h3", "status": "suspect", "now": NOW,
                                    "slot": None})
    with pytest.raises(sa.exc.IntegrityError), session.get_engine().begin() as connection:
        connection.execute(INSERT, {"host": "h4", "status": "fencing", "now": NOW, "slot": 1})
    downgrade("0006")
    assert migration.current_revision() == "0006" and "host_fences" not in _tables()
    migration.upgrade("0007")
    assert "host_fences" in _tables()
