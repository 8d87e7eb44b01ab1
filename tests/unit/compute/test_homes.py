"""previous_host: set when an automatic move takes an instance away from its home (only if
it has none), kept by a forced move, cleared when the instance lands on it again."""
import pytest

from godwit.compute import homes, live_migration, states
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from tests.unit.compute.test_live_migration import Driver, Manager, shared_instance_on_src


@pytest.fixture
def pool(sqlite_db):
    """Hosts src and dst in one enabled cluster, and a running shared-storage VM on src."""
    return shared_instance_on_src().uuid


def previous(uuid):
    return db.instance_get(uuid).previous_host


def test_moved_away_sets_an_empty_home_only(pool):
    assert homes.moved_away(pool, "src")
    assert not homes.moved_away(pool, "dst")
    assert previous(pool) == "src"


def test_a_forced_move_keeps_previous_host(pool):
    assert not homes.moved_away(pool, "src", forced=True)
    assert previous(pool) is None


def test_returning_home_clears_it_and_elsewhere_does_not(pool):
    homes.moved_away(pool, "src")
    assert not homes.returned_home(pool, "dst")
    assert previous(pool) == "src"
    assert homes.returned_home(pool, "src")
    assert previous(pool) is None


def _live_migrate(uuid, source, dest):
    instance = db.instance_get(uuid)
    migration = live_migration.begin(instance, live_migration.check_movable(instance), dest)
    live_migration.run(Manager(Driver(location=source), host=source), migration.uuid)
    return db.migration_get(migration.uuid)


def _maintenance(host, state):
    with writer() as session:
        session.query(models.Host).filter_by(name=host).update({"maintenance_state": state})


def test_a_move_off_a_flushing_host_is_automatic_and_sets_the_home(pool):
    _maintenance("src", "flushing")
    migration = _live_migrate(pool, "src", "dst")
    assert (migration.status, migration.automatic) == (states.FINISHED, True)
    assert previous(pool) == "src"
    # Back home (by any move): the instance no longer needs a home.
    _maintenance("src", "ready")
    _live_migrate(pool, "dst", "src")
    assert (db.instance_get(pool).host, previous(pool)) == ("src", None)


def test_an_explicit_migration_is_forced_and_keeps_the_home(pool):
    migration = _live_migrate(pool, "src", "dst")
    assert (migration.status, migration.automatic) == (states.FINISHED, False)
    assert previous(pool) is None
    with writer() as session:
        session.query(models.Instance).filter_by(uuid=pool).update(
            {"previous_host": "elsewhere"})
    _live_migrate(pool, "dst", "src")
    assert previous(pool) == "elsewhere"
