"""Fixtures for the identity unit tests: cheap password hashing, fresh policy state.

The database fixture ``sqlite_db`` (a migrated SQLite file per test) is tests/conftest.py's.
"""
import pytest

from godwit import policy
from godwit.conf import CONF
from godwit.identity import bootstrap


@pytest.fixture(autouse=True)
def fast_hashing():
    """The fewest PBKDF2 rounds allowed: tests check behaviour, not cost."""
    CONF.set_override("password_hash_rounds", 1000, group="identity")
    yield
    CONF.clear_override("password_hash_rounds", group="identity")


@pytest.fixture(autouse=True)
def fresh_policy():
    policy.reset()
    yield
    policy.reset()


@pytest.fixture
def alice(sqlite_db):
    """User ``alice``, member of project ``p1`` (her default project), password ``secret``."""
    bootstrap.create_project("p1")
    return bootstrap.create_user("alice", "secret", "p1", "member")
