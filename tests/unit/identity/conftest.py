"""Fixtures for the identity unit tests: cheap password hashing, fresh policy state.

The database fixture ``sqlite_db`` (a migrated SQLite file per test) is tests/conftest.py's.
"""
import pytest

from godwit.identity import bootstrap


@pytest.fixture
def alice(sqlite_db):
    """User ``alice``, member of project ``p1`` (her default project), password ``secret``."""
    bootstrap.create_project("p1")
    return bootstrap.create_user("alice", "secret", "p1", "member")
