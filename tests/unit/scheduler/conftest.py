"""A scheduler that re-reads the hosts at every choice, over this test's own database."""
import pytest

from godwit.conf import CONF
from godwit.scheduler.manager import SchedulerManager


@pytest.fixture
def scheduler(sqlite_db):
    CONF.set_override("cache_refresh_interval", 0, group="scheduler")
    yield SchedulerManager()
    CONF.clear_override("cache_refresh_interval", group="scheduler")
