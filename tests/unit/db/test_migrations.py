"""The Alembic revisions build exactly the models' schema, on every supported database."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from godwit.db import migration, models, session


def test_sync_is_idempotent_and_matches_models(any_db):
    migration.upgrade()  # the fixture already ran it once
    assert migration.current_revision() is not None
    with session.get_engine().connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert diff == []
    assert {"instances", "hosts", "services", "migrations", "tokens", "zones", "pods",
            "clusters", "hypervisor_capabilities", "flavors", "images",
            "security_groups"} <= tables
