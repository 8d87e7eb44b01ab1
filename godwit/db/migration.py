"""Schema upgrades with Alembic (``godwit-manage db sync``)."""
import os

from alembic import command
from alembic.config import Config

from godwit.db import session

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return config


def upgrade(revision="head"):
    """Bring the schema to ``revision``; running it again changes nothing."""
    with session.get_engine().begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision():
    from alembic.runtime.migration import MigrationContext
    with session.get_engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
