"""Resize and cold migration between two godwit-compute processes over RabbitMQ.

The fake driver keeps every VM as files under ``<workdir>/fake-hypervisors/<host>/``
(shared by the processes), so these tests write to a guest's disk the way the guest would
and check that exactly those bytes arrive on the other host, and that nothing is left
behind after a confirm or a revert.
"""
import os
import time

import pytest

TINY = {"vcpus": 1, "ram": 512, "disk": 1}      # flavor "1", m1.tiny (godwit/seed.py)
SMALL = {"vcpus": 1, "ram": 2048, "disk": 20}   # flavor "2", m1.small
STEP_TIMEOUT = 120


# --- the guest's disk, as files of the fake hypervisor ---------------------------------------

def _vm_dir(deployment, host, server_id, suffix=""):
    return os.path.join(deployment.instances_path, host, server_id + suffix)


def _write_guest_data(deployment, host, server_id, data):
    """What the running guest does: appends to the leaf of its disk (the COW once a
    migration snapshotted it, else the base)."""
    path = _vm_dir(deployment, host, server_id)
    leaf = "cow.img" if os.path.exists(os.path.join(path, "cow.img")) else "base.img"
    assert os.path.exists(os.path.join(path, leaf)), os.listdir(os.path.dirname(path))
    with open(os.path.join(path, leaf), "ab") as disk:
        disk.write(data)


def _disk(deployment, host, server_id, suffix=""):
    """The guest's view of its disk: the base, then the COW (if any)."""
    path = _vm_dir(deployment, host, server_id, suffix)
    content = b""
    for name in ("base.img", "cow.img"):
        if os.path.exists(os.path.join(path, name)):
            with open(os.path.join(path, name), "rb") as disk:
                content += disk.read()
    return content


def _entries(deployment, host, server_id):
    """What a host's directory holds of the server (``<uuid>``, ``<uuid>-orig``, ...)."""
    path = os.path.join(deployment.instances_path, host)
    return sorted(name for name in os.listdir(path) if name.startswith(server_id))


def _guest_data(size, seed):
    """Recognisable, non-repeating-looking bytes."""
    pattern = f"{seed}:".encode() + bytes(range(256))
    return (pattern * (size // len(pattern) + 1))[:size]


# --- the API -----------------------------------------------------------------------------------

def _other(admin, host):
    """The deployment's other compute host."""
    (other,) = set(_usage(admin)) - {host}
    return other


def _host(admin, server_id):
    resp = admin.get(f"/v2.1/servers/{server_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]["OS-EXT-SRV-ATTR:host"]


def _action(client, server_id, body):
    return client.post(f"/v2.1/servers/{server_id}/action", json=body)


def _boot(deployment, client, name):
    server_id = client.create_server(name, flavor="1", image=deployment.cloud.image_id())
    client.wait_for_status(server_id, "ACTIVE", timeout=STEP_TIMEOUT)
    return server_id


def _os_migration(admin, server_id):
    """The server's only migration, as ``GET /v2.1/os-migrations`` shows it."""
    resp = admin.get("/v2.1/os-migrations", params={"instance_uuid": server_id})
    assert resp.status_code == 200, resp.text
    migrations = resp.json()["migrations"]
    assert len(migrations) == 1, migrations
    return migrations[0]


def _admin_migration(admin, server_id):
    """The server's only migration, as ``GET /admin/v1/migrations?server=`` shows it."""
    resp = admin.get("/admin/v1/migrations", params={"server": server_id})
    assert resp.status_code == 200, resp.text
    migrations = resp.json()["migrations"]
    assert len(migrations) == 1, migrations
    return migrations[0]


def _usage(admin):
    """host -> (vcpus, memory MiB, disk GiB, VMs) claimed on it."""
    resp = admin.get("/v2.1/os-hypervisors/detail")
    assert resp.status_code == 200, resp.text
    return {h["hypervisor_hostname"]: (h["vcpus_used"], h["memory_mb_used"],
                                       h["local_gb_used"], h["running_vms"])
            for h in resp.json()["hypervisors"]}


def _plus(usage, flavor):
    vcpus, memory_mb, disk_gb, vms = usage
    return (vcpus + flavor["vcpus"], memory_mb + flavor["ram"], disk_gb + flavor["disk"],
            vms + 1)


class _Booted:
    """A new member's running server, with ``size`` bytes its guest wrote to its disk."""

    def __init__(self, deployment, name, size, seed):
        self.admin = deployment.cloud.admin()
        self.member = deployment.new_member()
        self.usage_before = _usage(self.admin)
        self.server_id = _boot(deployment, self.member, name)
        self.source = _host(self.admin, self.server_id)
        self.dest = _other(self.admin, self.source)
        _write_guest_data(deployment, self.source, self.server_id, _guest_data(size, seed))
        self.disk = _disk(deployment, self.source, self.server_id)


def _delete(client, server_id):
    assert client.delete(f"/v2.1/servers/{server_id}").status_code == 204
    client.wait_for_status(server_id, "DELETED", timeout=STEP_TIMEOUT)


# --- resize + confirm, migrate + revert ------------------------------------------------------

def test_resize_copies_the_disk_to_the_other_host_and_confirm_drops_the_original(
        deployment):
    booted = _Booted(deployment, "resize-me", 100_000, "before resize")
    admin, member, before = booted.admin, booted.member, booted.usage_before
    server_id, source, dest, disk = booted.server_id, booted.source, booted.dest, booted.disk

    resp = _action(member, server_id, {"resize": {"flavorRef": "2"}})
    assert resp.status_code == 202, resp.text
    member.wait_for_status(server_id, "VERIFY_RESIZE", timeout=STEP_TIMEOUT)

    assert _host(admin, server_id) == dest
    migration = _os_migration(admin, server_id)
    assert (migration["status"], migration["migration_type"]) == \
        ("verify-migration", "resize")
    assert (migration["source_compute"], migration["dest_compute"]) == (source, dest)
    assert (migration["source_node"], migration["dest_node"]) == (source, dest)
    assert _entries(deployment, dest, server_id) == [server_id]
    assert _disk(deployment, dest, server_id) == disk
    assert _entries(deployment, source, server_id) == [server_id + "-orig"]
    assert _disk(deployment, source, server_id, "-orig") == disk
    # both sides hold a claim until the user decides
    during = _usage(admin)
    assert during[source] == _plus(before[source], TINY)
    assert during[dest] == _plus(before[dest], SMALL)

    resp = _action(member, server_id, {"confirmResize": None})
    assert resp.status_code == 204, resp.text
    server = member.wait_for_status(server_id, "ACTIVE", timeout=STEP_TIMEOUT)

    assert {key: server["flavor"][key] for key in SMALL} == SMALL
    assert server["flavor"]["original_name"] == "m1.small"
    assert _host(admin, server_id) == dest
    assert _entries(deployment, source, server_id) == []
    assert _entries(deployment, dest, server_id) == [server_id]
    assert _disk(deployment, dest, server_id) == disk
    assert _os_migration(admin, server_id)["status"] == "finished"
    assert _admin_migration(admin, server_id)["outcome"] == "confirmed"
    after = _usage(admin)
    assert after[source] == before[source]
    assert after[dest] == _plus(before[dest], SMALL)

    _delete(member, server_id)
    assert _entries(deployment, dest, server_id) == []
    assert _usage(admin) == before


def test_migrate_then_revert_brings_the_server_back_with_its_disk(deployment):
    booted = _Booted(deployment, "migrate-me", 50_000, "before migrate")
    admin, member, before = booted.admin, booted.member, booted.usage_before
    server_id, source, dest, disk = booted.server_id, booted.source, booted.dest, booted.disk

    assert _action(member, server_id, {"migrate": None}).status_code == 403
    resp = _action(admin, server_id, {"migrate": None})
    assert resp.status_code == 202, resp.text
    member.wait_for_status(server_id, "VERIFY_RESIZE", timeout=STEP_TIMEOUT)

    assert _host(admin, server_id) == dest
    migration = _os_migration(admin, server_id)
    assert (migration["status"], migration["migration_type"]) == \
        ("verify-migration", "migration")
    assert (migration["source_compute"], migration["dest_compute"]) == (source, dest)
    assert _disk(deployment, dest, server_id) == disk
    assert _entries(deployment, source, server_id) == [server_id + "-orig"]

    resp = _action(member, server_id, {"revertResize": None})
    assert resp.status_code == 202, resp.text
    server = member.wait_for_status(server_id, "ACTIVE", timeout=STEP_TIMEOUT)

    assert {key: server["flavor"][key] for key in TINY} == TINY
    assert server["flavor"]["original_name"] == "m1.tiny"
    assert _host(admin, server_id) == source
    assert _entries(deployment, source, server_id) == [server_id]
    assert _disk(deployment, source, server_id) == disk
    assert _entries(deployment, dest, server_id) == []
    assert _os_migration(admin, server_id)["status"] == "finished"
    migration = _admin_migration(admin, server_id)
    assert (migration["status"], migration["outcome"], migration["type"]) == \
        ("finished", "reverted", "migration")
    assert (migration["source_host"], migration["dest_host"]) == (source, dest)
    assert migration["next_step_host"] is None
    after = _usage(admin)
    assert after[source] == _plus(before[source], TINY)
    assert after[dest] == before[dest]
    # the restored VM is the guest's again: it keeps writing to its disk
    _write_guest_data(deployment, source, server_id, b"after revert")

    _delete(member, server_id)
    assert _entries(deployment, source, server_id) == []
    assert _usage(admin) == before


# --- the source compute dies in the middle of a copy -----------------------------------------

# 0.25 MiB/s: copying 2 MiB takes about 8 s, a wide window to kill the source in.
SLOW_COPY = """[compute]
fake_transfer_rate = 0.25
"""
BASE_DATA = 2 * 1024 * 1024
COW_DATA = 4 * 1024 * 1024


@pytest.fixture(scope="module")
def slow_deployment(deploy):
    return deploy(SLOW_COPY)


def _wait_for_migration(admin, server_id, until, what, timeout=STEP_TIMEOUT):
    """Polls the admin API until ``until(migration)``; returns that migration."""
    deadline = time.monotonic() + timeout
    migration = None
    while time.monotonic() < deadline:
        resp = admin.get("/admin/v1/migrations", params={"server": server_id})
        assert resp.status_code == 200, resp.text
        migrations = resp.json()["migrations"]
        if migrations:
            migration = migrations[0]
            if until(migration):
                return migration
            assert migration["status"] not in ("error", "cancelled"), migration
        time.sleep(0.1)
    raise AssertionError(f"the migration of {server_id} never got {what}: {migration}")


def _kill_and_restart(deployment, admin, server_id, host, status):
    """SIGKILLs ``host``'s compute, checks the migration was caught mid-copy, restarts it."""
    assert deployment.kill(host) == -9
    migration = _admin_migration(admin, server_id)
    assert migration["status"] == status, migration
    assert 0 < migration["bytes_transferred"] < migration["bytes_total"], migration
    deployment.start_compute(host)
    return migration


@pytest.fixture(scope="module")
def killed_twice(slow_deployment):
    """A cold migration whose source compute was SIGKILLed (and restarted) once while it
    copied the base and once while it copied the COW, left in VERIFY_RESIZE."""
    deployment = slow_deployment
    booted = _Booted(deployment, "kill-the-source", BASE_DATA, "base")
    admin, member = booted.admin, booted.member
    server_id, source, dest = booted.server_id, booted.source, booted.dest
    base_size = len(booted.disk)

    resp = _action(admin, server_id, {"migrate": None})
    assert resp.status_code == 202, resp.text

    # the base is being copied: the guest runs on and writes to its COW
    _wait_for_migration(admin, server_id,
                        lambda m: m["status"] == "migrating" and m["bytes_transferred"] > 0,
                        "to copy the base")
    _write_guest_data(deployment, source, server_id, _guest_data(COW_DATA, "cow"))
    disk = _disk(deployment, source, server_id)
    assert len(disk) == base_size + COW_DATA
    migration = _kill_and_restart(deployment, admin, server_id, source, "migrating")
    assert migration["bytes_total"] == base_size
    partial = os.path.join(_vm_dir(deployment, dest, server_id, ".incoming"), "base.img")
    assert 0 < os.path.getsize(partial) < base_size

    # the COW is being copied (the guest is shut down)
    _wait_for_migration(admin, server_id,
                        lambda m: m["status"] == "migrating_step2"
                        and m["bytes_transferred"] > base_size,
                        "to copy the COW")
    _kill_and_restart(deployment, admin, server_id, source, "migrating_step2")
    assert _entries(deployment, source, server_id) == [server_id + "-orig"]

    # the restarted source finishes the copy; meanwhile, is it reported up?
    source_states = []
    deadline = time.monotonic() + STEP_TIMEOUT
    while True:
        source_states.append(_service_state(admin, source))
        status = member.get(f"/v2.1/servers/{server_id}").json()["server"]["status"]
        if status == "VERIFY_RESIZE":
            break
        assert status == "RESIZE" and time.monotonic() < deadline, status
        time.sleep(0.2)
    return {"deployment": deployment, "admin": admin, "member": member,
            "server_id": server_id, "source": source, "dest": dest, "disk": disk,
            "migration": _admin_migration(admin, server_id),
            "source_states_while_resuming": source_states}


def _service_state(admin, host):
    resp = admin.get("/v2.1/os-services")
    assert resp.status_code == 200, resp.text
    (service,) = [service for service in resp.json()["services"]
                  if service["host"] == host and service["binary"] == "godwit-compute"]
    return service["state"]


def _wait_for_service_state(admin, host, state, timeout=STEP_TIMEOUT):
    deadline = time.monotonic() + timeout
    while _service_state(admin, host) != state:
        assert time.monotonic() < deadline, f"{host} never became {state}"
        time.sleep(0.2)


def test_migration_completes_after_the_source_is_killed_during_each_copy(killed_twice):
    deployment, admin, member = (killed_twice[key] for key in
                                 ("deployment", "admin", "member"))
    server_id, source, dest, disk = (killed_twice[key] for key in
                                     ("server_id", "source", "dest", "disk"))
    assert _host(admin, server_id) == dest
    assert killed_twice["migration"]["status"] == "verify-migration"
    assert _entries(deployment, dest, server_id) == [server_id]
    assert _disk(deployment, dest, server_id) == disk
    assert _disk(deployment, source, server_id, "-orig") == disk

    # confirm needs the source up (else 409)
    _wait_for_service_state(admin, source, "up")
    resp = _action(member, server_id, {"confirmResize": None})
    assert resp.status_code == 204, resp.text
    member.wait_for_status(server_id, "ACTIVE", timeout=STEP_TIMEOUT)
    assert _host(admin, server_id) == dest
    assert _entries(deployment, source, server_id) == []
    assert _entries(deployment, dest, server_id) == [server_id]
    assert _disk(deployment, dest, server_id) == disk
    migration = _admin_migration(admin, server_id)
    assert (migration["status"], migration["outcome"]) == ("finished", "confirmed")


def test_migration_counts_each_byte_once_after_the_source_is_killed(killed_twice):
    migration = killed_twice["migration"]
    size = len(killed_twice["disk"])
    assert (migration["bytes_transferred"], migration["bytes_total"],
            migration["progress"]) == (size, size, 100)


def test_a_restarted_compute_is_up_while_it_resumes_a_copy(killed_twice):
    """The COW copy resumed after the restart takes longer than service_down_time."""
    assert set(killed_twice["source_states_while_resuming"]) == {"up"}
