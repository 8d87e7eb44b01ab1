"""Revision 0008 on every supported database: instances.task_token appears, keeps what is
written to it, and goes again on downgrade (the instances' other data kept)."""
import datetime

import sqlalchemy as sa

from godwit.db import migration, session
from tests.unit.db.conftest import downgrade

BEFORE = "0007"
NOW = datetime.datetime(2026, 11, 22, 12, 0, 0)
TOKEN = "5d0c7f5e-0f3b-4a55-9a43-8c9d0a5a2b11"


def _columns():
    with session.get_engine().connect() as connection:
        return {column["name"] for column in sa.inspect(connection).get_columns("instances")}


def _insert(connection, uuid):
    """An instance row as revision 0007 has it, every required column filled."""
    table = sa.Table("instances", sa.MetaData(), autoload_with=connection)
    samples = {sa.JSON: {}, sa.String: "{}", sa.Integer: 0, sa.Boolean: False,
               sa.DateTime: NOW}  # "{}": MariaDB reflects a JSON column as checked text
    row = {column.name: next(value for kind, value in samples.items()
                             if isinstance(column.type, kind))
           for column in table.columns
           if not column.nullable and not column.primary_key}
    connection.execute(table.insert().values(dict(row, uuid=uuid)))


def test_upgrade_then_downgrade(database_before):
    with session.get_engine().begin() as connection:
        _insert(connection, "i-1")
    migration.upgrade("0008")
    assert migration.current_revision() == "0008" and "task_token" in _columns()
    with session.get_engine().begin() as connection:
        connection.execute(sa.text("UPDATE instances SET task_token = :token"),
                           {"token": TOKEN})
        assert connection.execute(sa.text("SELECT task_token FROM instances")).scalar() \
            == TOKEN
    downgrade("0007")
    assert migration.current_revision() == "0007" and "task_token" not in _columns()
    with session.get_engine().connect() as connection:
        assert connection.execute(sa.text("SELECT uuid FROM instances")).scalar() == "i-1"
