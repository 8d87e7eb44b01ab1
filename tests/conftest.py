"""Fixtures shared by every test: a fresh database per test, and real services on demand."""
import warnings

import pytest

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from godwit import policy, rpc  # noqa: E402
from godwit.conf import CONF  # noqa: E402
from godwit.db import migration, session  # noqa: E402
from tests import services  # noqa: E402

rpc.set_defaults()
CONF([], project="godwit")


DATABASES = ["sqlite", "postgresql", "mysql"]


def new_database(kind, tmp_path):
    """(url, drop or None) of a database of its own on ``kind`` (one of ``DATABASES``)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/godwit.sqlite", None
    if kind == "postgresql":
        return services.postgresql_database()
    return services.mysql_database()


def use_database(url, revision="head"):
    CONF.set_override("connection", url, group="database")
    session.dispose()
    migration.upgrade(revision)


def forget_database():
    session.dispose()
    CONF.clear_override("connection", group="database")


@pytest.fixture
def sqlite_db(tmp_path):
    """A migrated SQLite database of this test's own."""
    use_database(f"sqlite:///{tmp_path}/godwit.sqlite")
    yield
    forget_database()


@pytest.fixture(params=DATABASES)
def any_db(request, tmp_path):
    """The same test on SQLite, PostgreSQL and MariaDB, each a database of its own."""
    url, drop = new_database(request.param, tmp_path)
    use_database(url)
    yield request.param
    forget_database()
    if drop:
        drop()


@pytest.fixture(autouse=True)
def fast_hashing():
    """The fewest PBKDF2 rounds allowed: tests check behaviour, not cost."""
    CONF.set_override("password_hash_rounds", 1000, group="identity")
    yield
    CONF.clear_override("password_hash_rounds", group="identity")


@pytest.fixture(autouse=True)
def fake_hypervisors(tmp_path):
    """The fake driver's host directories live in the test's own directory.

    A cloud built by a module-scoped fixture keeps the directory it was built with.
    """
    CONF.set_override("fake_instances_path", str(tmp_path / "hypervisors"), group="compute")
    yield
    CONF.clear_override("fake_instances_path", group="compute")


@pytest.fixture(autouse=True)
def fresh_policy():
    """Every test starts from the default policy rules."""
    policy.reset()
    yield
    policy.reset()
