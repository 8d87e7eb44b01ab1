"""Disk leases: a VM's shared disks are leased to the host running it; another live host
cannot take them; a fenced (or silent) host's lease can be taken; only shared disks."""
import datetime

import pytest

from godwit.compute import power, states
from godwit.db import api as db
from godwit.db import models
from godwit.ha import fencing, leases

VM = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def hosts(sqlite_db):
    for name in ("h1", "h2", "h3"):
        db.host_register(name, dict(hypervisor_type="fake", vcpus=8, memory_mb=8192,
                                    disk_gb=100))
        db.service_register(name, "godwit-compute", "compute")


def test_shared_disks_are_leased_to_the_host_starting_them(hosts):
    leases.acquire(VM, "shared", "h1")
    leases.acquire(VM, "shared", "h1")  # a restart on the same host renews it
    assert leases.holder(VM) == "h1"


def test_local_disks_need_no_lease(hosts):
    leases.acquire(VM, "local", "h1")
    assert leases.holder(VM) is None


def test_another_live_host_cannot_take_the_disks(hosts):
    leases.acquire(VM, "shared", "h1")
    with pytest.raises(leases.LeaseHeld, match="leased to host h1, which is still live"):
        leases.acquire(VM, "shared", "h2")
    assert leases.holder(VM) == "h1"


def test_disks_of_a_fenced_host_can_be_taken(hosts):
    leases.acquire(VM, "shared", "h1")
    fencing.mark_fenced("h1")
    leases.acquire(VM, "shared", "h2")
    assert leases.holder(VM) == "h2"


def test_disks_of_a_host_whose_worker_is_down_can_be_taken(hosts):
    leases.acquire(VM, "shared", "h1")
    service = db.service_list(host="h1")[0]
    db.service_update(service.uuid, {
        "last_seen_up": models.utcnow() - datetime.timedelta(hours=1)})
    leases.acquire(VM, "shared", "h2")
    assert leases.holder(VM) == "h2"


def test_breaking_a_hosts_leases_leaves_the_others(hosts):
    other = "99999999-2222-3333-4444-555555555555"
    leases.acquire(VM, "shared", "h1")
    leases.acquire(other, "shared", "h2")
    assert leases.break_host("h1") == 1
    assert (leases.holder(VM), leases.holder(other)) == (None, "h2")


def test_a_migration_hands_the_lease_to_its_destination(hosts):
    leases.acquire(VM, "shared", "h1")
    leases.take_over(VM, "shared", "h1", "h2")
    assert leases.holder(VM) == "h2"
    leases.take_over(VM, "shared", "h2", "h1")  # reverted
    assert leases.holder(VM) == "h1"


def test_a_lease_another_live_host_took_is_not_handed_over(hosts):
    leases.acquire(VM, "shared", "h2")
    with pytest.raises(leases.LeaseHeld):
        leases.take_over(VM, "shared", "h1", "h3")
    assert leases.holder(VM) == "h2"


def test_the_lease_follows_an_instance_whose_disks_become_local(hosts):
    leases.acquire(VM, "shared", "h1")
    leases.take_over(VM, "local", "h1", "h2")
    assert leases.holder(VM) == "h2"


def test_a_deleted_instance_leaves_no_lease(hosts):
    leases.acquire(VM, "shared", "h1")
    leases.forget(VM)
    assert leases.holder(VM) is None


class _Driver:
    host = "h2"

    def __init__(self):
        self.started = []

    def power_on(self, instance):
        self.started.append(instance.uuid)


def test_a_start_where_another_live_host_holds_the_disks_is_refused(hosts):
    instance = db.instance_create(dict(
        display_name="vm", project_id="p", user_id="u", flavorid="1", flavor_name="tiny",
        image_ref="i", vcpus=1, memory_mb=512, root_gb=1, host="h2", node="h2",
        vm_state=states.STOPPED, task_state=states.POWERING_ON,
        power_state=states.SHUTDOWN, storage_kind="shared"))
    leases.acquire(instance.uuid, "shared", "h1")
    driver = _Driver()
    power.run(driver, instance.uuid, states.POWERING_ON)
    after = db.instance_get(instance.uuid, details=True)
    assert driver.started == []
    assert (after.vm_state, after.task_state) == (states.STOPPED, None)
    assert "leased to host h1, which is still live" in after.faults[0].message
