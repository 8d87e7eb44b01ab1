"""Resize and cold migration through the HTTP APIs of an in-process cloud (3 fake hosts).

Each test works on servers of a project of its own; disks are real files, so the tests
check the bytes the guest wrote on whichever host the server ends on.
"""
import json
import os
import time

import openstack
import pytest

from godwit.conf import CONF
from godwit.db import api as db
from tests.functional.test_openstack_clients import _openstack

ADMIN_MIGRATIONS = "/admin/v1/migrations"


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.admin()


@pytest.fixture
def member(cloud):
    return cloud.new_member()


def _drivers(aio):
    return {svc.host: svc.manager.driver for svc in aio.services
            if getattr(svc, "binary", None) == "godwit-compute"}


def _boot(cloud, member, flavor="1"):
    server_id = member.create_server(flavor=flavor, image=cloud.image_id())
    member.wait_for_status(server_id, "ACTIVE")
    return server_id


def _host(admin, server_id):
    return admin.get(f"/v2.1/servers/{server_id}").json()["server"]["OS-EXT-SRV-ATTR:host"]


def _action(client, server_id, body, microversion=None):
    headers = {"OpenStack-API-Version": f"compute {microversion}"} if microversion else {}
    return client.post(f"/v2.1/servers/{server_id}/action", json=body, headers=headers)


def _migration(admin, server_id):
    """The server's newest migration (None before the destination created it)."""
    migrations = admin.get(ADMIN_MIGRATIONS, params={"server": server_id}).json()["migrations"]
    return migrations[0] if migrations else None


def _wait_migration(admin, server_id, status, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        migration = _migration(admin, server_id)
        if migration and migration["status"] == status:
            return migration
        assert time.monotonic() < deadline, migration
        time.sleep(0.05)


def _vms(aio, server_id):
    """{host: [names]} of what each host directory holds of the server."""
    found = {}
    for host, driver in _drivers(aio).items():
        names = sorted(n for n in os.listdir(driver.path) if n.startswith(server_id))
        if names:
            found[host] = names
    return found


def _conflict(resp, state):
    assert resp.status_code == 409, resp.text
    message = resp.json()["conflictingRequest"]["message"]
    assert state in message, message


def test_resize_and_confirm(aio, cloud, admin, member):
    server_id = _boot(cloud, member)
    source = _host(admin, server_id)
    _drivers(aio)[source].write_guest_data(server_id, b"the guest wrote this\n")
    disk = _drivers(aio)[source].disk_content(server_id)
    resp = _action(member, server_id, {"resize": {"flavorRef": "2"}})
    assert resp.status_code == 202, resp.text
    server = member.wait_for_status(server_id, "VERIFY_RESIZE")
    assert server["progress"] == 100
    dest = _host(admin, server_id)
    assert dest != source
    assert _vms(aio, server_id) == {source: [server_id + "-orig"], dest: [server_id]}
    assert _drivers(aio)[dest].disk_content(server_id) == disk
    assert _drivers(aio)[source].disk_content(server_id, "-orig") == disk
    listed = admin.get("/v2.1/os-migrations", params={"instance_uuid": server_id}).json()
    assert [(m["status"], m["source_compute"], m["dest_compute"], m["migration_type"])
            for m in listed["migrations"]] == [("verify-migration", source, dest, "resize")]
    resp = _action(member, server_id, {"confirmResize": None})
    assert resp.status_code == 204, resp.text
    server = member.wait_for_status(server_id, "ACTIVE")
    assert server["flavor"]["original_name"] == db.flavor_get("2").name
    assert _vms(aio, server_id) == {dest: [server_id]}
    migration = _migration(admin, server_id)
    assert (migration["status"], migration["outcome"]) == ("finished", "confirmed")


def test_resize_and_revert(aio, cloud, admin, member):
    server_id = _boot(cloud, member)
    source = _host(admin, server_id)
    disk = _drivers(aio)[source].disk_content(server_id)
    assert _action(member, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    member.wait_for_status(server_id, "VERIFY_RESIZE")
    assert _action(member, server_id, {"revertResize": None}).status_code == 202
    server = member.wait_for_status(server_id, "ACTIVE")
    assert server["flavor"]["original_name"] == db.flavor_get("1").name
    assert _host(admin, server_id) == source
    assert _vms(aio, server_id) == {source: [server_id]}
    assert _drivers(aio)[source].disk_content(server_id) == disk
    migration = _migration(admin, server_id)
    assert (migration["status"], migration["outcome"]) == ("finished", "reverted")


def test_admin_migrates_to_any_host_and_to_a_named_one(cloud, admin, member):
    server_id = _boot(cloud, member)
    source = _host(admin, server_id)
    assert _action(admin, server_id, {"migrate": None}).status_code == 202
    admin.wait_for_status(server_id, "VERIFY_RESIZE")
    first = _host(admin, server_id)
    assert first != source
    assert _action(admin, server_id, {"confirmResize": None}).status_code == 204
    admin.wait_for_status(server_id, "ACTIVE")
    resp = _action(admin, server_id, {"migrate": {"host": source}}, microversion="2.56")
    assert resp.status_code == 202, resp.text
    admin.wait_for_status(server_id, "VERIFY_RESIZE")
    assert _host(admin, server_id) == source
    assert _migration(admin, server_id)["type"] == "migration"
    assert _action(admin, server_id, {"confirmResize": None}).status_code == 204
    admin.wait_for_status(server_id, "ACTIVE")


def test_refusals(cloud, admin, member):
    server_id = _boot(cloud, member)
    source = _host(admin, server_id)
    resp = _action(member, server_id, {"resize": {"flavorRef": "1"}})
    assert resp.status_code == 400 and "must change flavor" in resp.text
    resp = _action(member, server_id, {"resize": {"flavorRef": "no-such-flavor"}})
    assert resp.status_code == 400 and "no-such-flavor" in resp.text
    resp = _action(member, server_id, {"resize": {}})
    assert resp.status_code == 400 and "flavorRef" in resp.text
    assert _action(member, server_id, {"migrate": None}).status_code == 403
    resp = _action(admin, server_id, {"migrate": {"host": source}}, microversion="2.55")
    assert resp.status_code == 400
    resp = _action(admin, server_id, {"migrate": {"host": source}}, microversion="2.56")
    assert resp.status_code == 400 and "same one" in resp.text
    resp = _action(admin, server_id, {"migrate": {"host": "no-such-host"}}, microversion="2.56")
    assert resp.status_code == 400 and "no-such-host" in resp.text
    _conflict(_action(member, server_id, {"confirmResize": None}), "active")
    _conflict(_action(member, server_id, {"revertResize": None}), "active")
    assert _action(member, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    member.wait_for_status(server_id, "VERIFY_RESIZE")
    _conflict(_action(member, server_id, {"resize": {"flavorRef": "3"}}), "resized")
    _conflict(_action(member, server_id, {"os-stop": None}), "resized")
    migration = _migration(admin, server_id)
    resp = admin.post(f"{ADMIN_MIGRATIONS}/{migration['id']}/cancel")
    assert resp.status_code == 409 and "verify-migration" in resp.text
    assert member.get(ADMIN_MIGRATIONS).status_code == 403
    assert member.get("/v2.1/os-migrations").status_code == 403
    assert db.instance_get(server_id).flavorid == "2"


def test_confirm_or_revert_while_the_acting_host_is_down_is_refused(cloud, admin, member):
    server_id = _boot(cloud, member)
    source = _host(admin, server_id)
    assert _action(member, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    member.wait_for_status(server_id, "VERIFY_RESIZE")
    service = next(s for s in db.service_list(host=source, binary="godwit-compute"))
    db.service_update(service.uuid, {"forced_down": True})
    try:
        resp = _action(member, server_id, {"confirmResize": None})
        assert resp.status_code == 409 and source in resp.text
        resp = _action(member, server_id, {"revertResize": None})
        assert resp.status_code == 409 and source in resp.text
    finally:
        db.service_update(service.uuid, {"forced_down": False})
    assert _action(member, server_id, {"confirmResize": None}).status_code == 204
    member.wait_for_status(server_id, "ACTIVE")


def test_delete_while_waiting_for_confirm_cleans_both_hosts(aio, cloud, admin, member):
    server_id = _boot(cloud, member)
    assert _action(member, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    member.wait_for_status(server_id, "VERIFY_RESIZE")
    assert len(_vms(aio, server_id)) == 2
    assert member.delete(f"/v2.1/servers/{server_id}").status_code == 204
    member.wait_for_status(server_id, "DELETED")
    deadline = time.monotonic() + 10
    while _vms(aio, server_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _vms(aio, server_id) == {}
    migration = _migration(admin, server_id)
    assert migration["status"] == "finished"


def test_cancel_a_slow_copy(aio, cloud, admin, member):
    server_id = _boot(cloud, member)
    source = _host(admin, server_id)
    _drivers(aio)[source].write_guest_data(server_id, b"x" * (4 * 1024 * 1024))
    disk = _drivers(aio)[source].disk_content(server_id)
    CONF.set_override("fake_transfer_rate", 1.0, group="compute")
    try:
        assert _action(member, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
        migration = _wait_migration(admin, server_id, "migrating")
        deadline = time.monotonic() + 10
        while member.get(f"/v2.1/servers/{server_id}").json()["server"]["progress"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        shown = admin.get(f"/v2.1/servers/{server_id}/migrations").json()["migrations"]
        assert [m["status"] for m in shown] == ["migrating"]
        resp = admin.post(f"{ADMIN_MIGRATIONS}/{migration['id']}/cancel")
        assert resp.status_code == 202, resp.text
        _wait_migration(admin, server_id, "cancelled")
    finally:
        CONF.clear_override("fake_transfer_rate", group="compute")
    server = member.wait_for_status(server_id, "ACTIVE")
    assert server["flavor"]["original_name"] == db.flavor_get("1").name
    assert _host(admin, server_id) == source
    deadline = time.monotonic() + 10
    while _vms(aio, server_id) != {source: [server_id]} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _vms(aio, server_id) == {source: [server_id]}
    assert _drivers(aio)[source].disk_content(server_id) == disk
    assert _drivers(aio)[source].get_power_state(db.instance_get(server_id)) == 1


def test_os_migrations_filters_and_paging(cloud, admin, member):
    servers = [_boot(cloud, member) for _ in range(3)]
    for server_id in servers:
        assert _action(admin, server_id, {"migrate": None}).status_code == 202
    for server_id in servers:
        admin.wait_for_status(server_id, "VERIFY_RESIZE")
    headers = {"OpenStack-API-Version": "compute 2.59"}
    page = admin.get("/v2.1/os-migrations", params={"limit": 2, "status": "verify-migration"},
                     headers=headers).json()
    assert len(page["migrations"]) == 2 and "migrations_links" in page
    rest = admin.get("/v2.1/os-migrations", headers=headers, params={
        "status": "verify-migration", "marker": page["migrations"][-1]["uuid"]}).json()
    seen = {m["instance_uuid"] for m in page["migrations"] + rest["migrations"]}
    assert set(servers) <= seen
    for server_id in servers:
        assert _action(admin, server_id, {"confirmResize": None}).status_code == 204


def test_openstacksdk_resize_confirm_revert_and_list_migrations(cloud, monkeypatch):
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", cloud.clouds_yaml)
    conn = openstack.connect(cloud="godwit-demo")
    flavor = conn.compute.find_flavor("m1.tiny")
    image = conn.image.find_image("cirros-0.6.2")
    server = conn.compute.create_server(name="sdk-resize", flavor_id=flavor.id,
                                        image_id=image.id, networks="none")
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    conn.compute.resize_server(server, conn.compute.find_flavor("m1.small").id)
    server = conn.compute.wait_for_server(server, status="VERIFY_RESIZE", wait=60, interval=0.1)
    conn.compute.confirm_server_resize(server)
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    assert server.flavor.name == "m1.small"
    conn.compute.resize_server(server, conn.compute.find_flavor("m1.medium").id)
    server = conn.compute.wait_for_server(server, status="VERIFY_RESIZE", wait=60, interval=0.1)
    conn.compute.revert_server_resize(server)
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    assert server.flavor.name == "m1.small"
    admin = openstack.connect(cloud="godwit-admin")
    migrations = [m for m in admin.compute.migrations() if m.server_id == server.id]
    assert sorted(m.status for m in migrations) == ["finished", "finished"]
    assert {m.new_flavor_id for m in migrations} == {db.flavor_get("2").id,
                                                     db.flavor_get("3").id}
    conn.compute.delete_server(server)


def test_openstack_cli_resize_migrate_and_migration_list(cloud):
    created = json.loads(_openstack(
        cloud, "godwit-demo", "server", "create", "--flavor", "m1.tiny", "--image",
        "cirros-0.6.2", "--nic", "none", "--wait", "-f", "json", "cli-resize"))
    _openstack(cloud, "godwit-demo", "server", "resize", "--flavor", "m1.small", "--wait",
               "cli-resize")
    assert cloud.demo().get(f"/v2.1/servers/{created['id']}").json()["server"]["status"] == \
        "VERIFY_RESIZE"
    _openstack(cloud, "godwit-demo", "server", "resize", "confirm", "cli-resize")
    server = cloud.demo().wait_for_status(created["id"], "ACTIVE")
    assert server["flavor"]["original_name"] == "m1.small"
    before = _host(cloud.admin(), created["id"])
    _openstack(cloud, "godwit-admin", "server", "migrate", "--wait", created["id"])
    admin = cloud.admin()
    assert admin.get(f"/v2.1/servers/{created['id']}").json()["server"]["status"] == \
        "VERIFY_RESIZE"
    assert _host(admin, created["id"]) != before
    _openstack(cloud, "godwit-demo", "server", "resize", "revert", "cli-resize")
    cloud.demo().wait_for_status(created["id"], "ACTIVE")
    assert _host(admin, created["id"]) == before
    listed = json.loads(_openstack(cloud, "godwit-admin", "server", "migration", "list",
                                   "--server", created["id"], "-f", "json"))
    assert sorted((m["Status"], m["Type"]) for m in listed) == [
        ("finished", "migration"), ("finished", "resize")]
    _openstack(cloud, "godwit-demo", "server", "delete", "--wait", "cli-resize")
