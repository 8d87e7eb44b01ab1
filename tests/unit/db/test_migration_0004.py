"""Revision 0004 on every supported database: hosts gain memory_free_mb and load_average
(unknown for existing hosts), migrations gain automatic (false for existing ones)."""
import datetime

import sqlalchemy as sa

from godwit.db import migration, session

BEFORE = "0003"
NOW = datetime.datetime(2026, 11, 22, 12, 0, 0)


def test_existing_rows_keep_their_meaning(database_before):
    with session.get_engine().begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO hosts (uuid, name, hypervisor_type, vcpus, memory_mb, disk_gb, "
            "vcpus_used, memory_mb_used, disk_gb_used, running_vms, cpu_allocation_ratio, "
            "ram_allocation_ratio, disk_allocation_ratio, allocation_state, "
            "maintenance_state, created_at) VALUES ('h-uuid', 'h1', 'xen', 8, 8192, 100, 0, "
            "0, 0, 0, 1.0, 1.0, 1.0, 'Enabled', 'ready', :now)"), {"now": NOW})
        connection.execute(sa.text(
            "INSERT INTO migrations (uuid, instance_uuid, migration_type, status, "
            "bytes_total, bytes_transferred, created_at) VALUES ('m-uuid', 'i-uuid', "
            "'migration', 'finished', 0, 0, :now)"), {"now": NOW})
    migration.upgrade("0004")
    with session.get_engine().connect() as connection:
        host = connection.execute(sa.text(
            "SELECT memory_free_mb, load_average FROM hosts")).one()
        automatic = connection.execute(sa.text("SELECT automatic FROM migrations")).scalar()
    assert tuple(host) == (None, None)
    assert automatic in (False, 0)
    assert migration.current_revision() == "0004"
