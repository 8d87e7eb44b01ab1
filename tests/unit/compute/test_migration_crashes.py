"""A worker crashes at every point where the migration protocol persists a change.

For each point, on the source or the destination, just before the change (it is lost)
and just after it (it is committed, nothing after it happens): the worker restarts, the
reconcilers run, the user confirms or reverts if asked, and then the migration must be
terminal and the instance must run on exactly one host, with every byte its guest wrote.
"""
import pytest

from godwit.compute import states
from godwit.conf import CONF
from godwit.db import api as db
from tests.conftest import forget_database, use_database
from tests.unit.compute.migration_harness import Cloud, CrashAt


def _resize_then_cancel(cloud, uuid):
    cloud.api.resize(cloud.context, uuid, "2")
    cloud.pump(limit=1)  # the destination claims; the source has not started yet
    for migration in db.migration_list(filters={"instance_uuid": uuid}):
        cloud.api.cancel_migration(cloud.context, migration.uuid)


# scenario -> (start, the user's decision, where the instance ends, its flavor, status)
SCENARIOS = {
    "resize+confirm": (lambda c, uuid: c.api.resize(c.context, uuid, "2"),
                       lambda c, uuid: c.api.confirm_resize(c.context, uuid), "dst", "2",
                       states.FINISHED),
    "migrate+revert": (lambda c, uuid: c.api.migrate(c.context, uuid),
                       lambda c, uuid: c.api.revert_resize(c.context, uuid), "src", "1",
                       states.FINISHED),
    "resize+cancel": (_resize_then_cancel, None, "src", "1", states.CANCELLED),
}


def _run(monkeypatch, tmp_path, name, scenario, **crash):
    """One migration with one crash (or none); returns what went wrong, or []."""
    (tmp_path / name).mkdir()
    CONF.set_override("fake_instances_path", str(tmp_path / name / "hypervisors"),
                      group="compute")
    use_database(f"sqlite:///{tmp_path / name / 'godwit.sqlite'}")
    with monkeypatch.context() as patch:
        start, decide, *end = SCENARIOS[scenario]
        cloud = Cloud()
        uuid = cloud.boot()
        cloud.writes_after_snapshot(uuid)
        crasher = CrashAt(cloud, patch, **crash)
        start(cloud, uuid)
        _settle(cloud)
        migration = db.migration_list(filters={"instance_uuid": uuid})
        if migration and migration[0].status == states.VERIFY_MIGRATION:
            decide(cloud, uuid)
            _settle(cloud)
        problems = _check(cloud, uuid, *end)
    forget_database()
    return crasher, problems


def _settle(cloud):
    cloud.pump()
    for _ in range(3):
        cloud.reconcile_everywhere()


def _check(cloud, uuid, end_host, end_flavor, end_status):
    problems = []
    instance = db.instance_get(uuid)
    migrations = db.migration_list(filters={"instance_uuid": uuid})
    if not migrations:  # the request was lost before any migration existed
        end_host, end_flavor = "src", "1"
    elif migrations[0].status != end_status or migrations[0].next_step_host:
        problems.append(f"migration ended {migrations[0].status} ({migrations[0].error}), "
                        f"next step on {migrations[0].next_step_host}")
    if (instance.vm_state, instance.task_state, instance.host, instance.flavorid) != \
            (states.ACTIVE, None, end_host, end_flavor):
        problems.append(f"instance is {instance.vm_state}/{instance.task_state} on "
                        f"{instance.host} with flavor {instance.flavorid}")
    if cloud.vms(uuid) != {end_host: [uuid]}:
        problems.append(f"VMs and leftovers: {cloud.vms(uuid)}")
    elif cloud.disk(uuid, end_host) != cloud.expected_disk(uuid):
        problems.append("the disk lost bytes the guest wrote")
    elif cloud.managers[end_host].driver.get_power_state(instance) != states.RUNNING:
        problems.append("the VM is not running")
    consistent, before, after = cloud.usage_is_consistent()
    if not consistent:
        problems.append(f"host usage {before} should be {after}")
    return problems


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_crash_at_any_step_ends_with_one_running_instance(monkeypatch, tmp_path,
                                                           scenario):
    counter, problems = _run(monkeypatch, tmp_path, "no-crash", scenario)
    assert problems == []
    points = counter.points
    assert {host for host, *_ in points} == {"src", "dst"}, points
    failures = []
    for host, index, call, status in points:
        for when in ("before", "after"):
            name = f"{host}-{index}-{when}"
            crasher, problems = _run(monkeypatch, tmp_path, name, scenario, host=host,
                                     index=index, when=when)
            assert crasher.fired, name
            if problems:
                failures.append(f"{scenario}: crash on {host} {when} change #{index} "
                                f"({call} -> {status}): {'; '.join(problems)}")
    assert failures == [], "\n".join(failures)
