"""What the revision tests share: a database of their own, one per supported kind, at the
revision before the one a module tests (its ``BEFORE``)."""
import pytest
from alembic import command

from godwit.db import migration, session
from tests import conftest


@pytest.fixture(params=conftest.DATABASES)
def database_before(request, tmp_path):
    url, drop = conftest.new_database(request.param, tmp_path)
    conftest.use_database(url, request.module.BEFORE)
    yield
    conftest.forget_database()
    if drop:
        drop()


def downgrade(revision):
    with session.get_engine().begin() as connection:
        config = migration.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
