"""Revision 0003 enables the zones, pods, clusters and hosts that existed before allocation
states were enforced; rows made afterwards start Disabled. On every supported database."""
import datetime
import uuid

from sqlalchemy import text

from godwit.db import api as db
from godwit.db import hierarchy, migration, models, session

BEFORE = "0002"  # the revision before allocation states
CREATED = datetime.datetime(2025, 1, 1)
HOST = dict(vcpus=8, memory_mb=8192, disk_gb=100, vcpus_used=0, memory_mb_used=0,
            disk_gb_used=0, running_vms=0, cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
            disk_allocation_ratio=1.0, maintenance_state="ready")


def _insert(connection, table, **values):
    """A row as an older godwit wrote it, with plain SQL; returns its id."""
    values = dict(values, uuid=str(uuid.uuid4()), created_at=CREATED)
    connection.execute(text(f"INSERT INTO {table} ({', '.join(values)}) "
                            f"VALUES ({', '.join(':' + name for name in values)})"), values)
    return connection.execute(text(f"SELECT id FROM {table} WHERE name = :name"),
                              values).scalar()


def _old_rows(connection):
    """Disabled (the model default nothing enforced) and Enabled (hosts registered by their
    workers) rows."""
    zone = _insert(connection, "zones", name="old-zone", allocation_state="Disabled")
    pod = _insert(connection, "pods", name="old-pod", zone_id=zone,
                  allocation_state="Disabled")
    cluster = _insert(connection, "clusters", name="old-cluster", pod_id=pod,
                      hypervisor_type="xen", allocation_state="Disabled",
                      managed_state="Managed")
    _insert(connection, "hosts", name="old-host", cluster_id=cluster, hypervisor_type="xen",
            allocation_state="Disabled", **HOST)
    _insert(connection, "hosts", name="registered-host", hypervisor_type="fake",
            allocation_state="Enabled", **HOST)


def _states(table):
    with session.get_engine().connect() as connection:
        return dict(connection.execute(text(f"SELECT name, allocation_state FROM {table}")).all())


def test_rows_from_before_are_enabled_and_new_ones_disabled(database_before):
    with session.get_engine().begin() as connection:
        _old_rows(connection)
    assert migration.current_revision() == "0002"

    migration.upgrade("0003")

    assert migration.current_revision() == "0003"
    assert _states("zones") == {"old-zone": "Enabled"}
    assert _states("pods") == {"old-pod": "Enabled"}
    assert _states("clusters") == {"old-cluster": "Enabled"}
    assert _states("hosts") == {"old-host": "Enabled", "registered-host": "Enabled"}

    migration.upgrade()  # the later revisions, which the models below need

    zone = hierarchy.create(models.Zone, {"name": "new-zone"}).row
    pod = hierarchy.create(models.Pod, {"name": "new-pod"}, zone.uuid).row
    hierarchy.create(models.Cluster, {"name": "new-cluster", "hypervisor_type": "xen"},
                     pod.uuid)
    db.host_register("new-host", {"hypervisor_type": "fake"})
    assert _states("zones")["new-zone"] == "Disabled"
    assert _states("pods")["new-pod"] == "Disabled"
    assert _states("clusters")["new-cluster"] == "Disabled"
    assert _states("hosts")["new-host"] == "Disabled"

    migration.upgrade()  # once applied, the revision does not run again
    assert _states("hosts")["new-host"] == "Disabled"
