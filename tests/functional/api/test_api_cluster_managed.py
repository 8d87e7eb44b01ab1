"""Managed / Unmanaged clusters through the admin and Compute APIs: changing the state (as an
admin, a member, a member of another project), bad input, the casts to the cluster's
workers, and the 409 every action on an instance of an unmanaged cluster gets."""
import pytest

from godwit.compute import states
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.db.session import writer
from tests.functional.api.conftest import (
    OTHER_PROJECT,
    add_host,
    add_instance,
    error_message,
)


@pytest.fixture
def cluster(cloud):
    """cluster-a (Managed) holding host1 (where the instances are) and host2."""
    zone = hierarchy.create(models.Zone, {"name": "zone-a", "allocation_state": "Enabled"})
    pod = hierarchy.create(models.Pod, {"name": "pod-a", "allocation_state": "Enabled"},
                           zone.row.uuid)
    placed = hierarchy.create(models.Cluster, {"name": "cluster-a", "hypervisor_type": "xen",
                                               "allocation_state": "Enabled"}, pod.row.uuid)
    add_host("host2")
    for name in ("host1", "host2"):
        db.host_register(name, {"cluster_id": placed.row.id})
    return placed.row.uuid


def _patch(admin_api, cluster_id, fields, user="admin"):
    return admin_api.request("PATCH", f"/v1/clusters/{cluster_id}", body={"cluster": fields},
                             user=user)


def _managed_state(cluster_id):
    return hierarchy.placed_get(models.Cluster, cluster_id).row.managed_state


def _unmanage(cluster_id):
    hierarchy.update(models.Cluster, cluster_id, {"managed_state": "Unmanaged"})


# --- changing the state ----------------------------------------------------------------------


def test_admin_unmanages_and_manages_a_cluster_and_its_hosts_are_told(admin_api, cluster,
                                                                         compute_rpc):
    resp = _patch(admin_api, cluster, {"managedstate": "Unmanaged"})
    assert resp.status_int == 200, resp.text
    assert resp.json["cluster"]["managed_state"] == "Unmanaged"
    assert _managed_state(cluster) == "Unmanaged"
    assert sorted(compute_rpc.casts) == [("cluster_managed_changed", "host1", cluster),
                                         ("cluster_managed_changed", "host2", cluster)]
    shown = admin_api.get(f"/v1/clusters/{cluster}", user="admin").json["cluster"]
    assert shown["managed_state"] == "Unmanaged"
    resp = _patch(admin_api, cluster, {"managedstate": "Managed"})
    assert resp.json["cluster"]["managed_state"] == "Managed"
    assert len(compute_rpc.casts) == 4


def test_other_changes_send_nothing_to_the_workers(admin_api, cluster, compute_rpc):
    assert _patch(admin_api, cluster, {"name": "renamed"}).status_int == 200
    assert compute_rpc.casts == []


def test_create_unmanaged_and_list_by_managed_state(admin_api, cluster):
    pod_id = hierarchy.placed_get(models.Cluster, cluster).parents["pod_id"]
    resp = admin_api.post("/v1/clusters", {"cluster": {
        "name": "cluster-b", "pod_id": pod_id, "hypervisor_type": "xen",
        "managedstate": "Unmanaged"}}, user="admin")
    assert resp.status_int == 201, resp.text
    assert resp.json["cluster"]["managed_state"] == "Unmanaged"
    names = {state: [row["name"] for row in admin_api.get(
        f"/v1/clusters?managedstate={state}", user="admin").json["clusters"]]
        for state in ("Managed", "Unmanaged")}
    assert names == {"Managed": ["cluster-a"], "Unmanaged": ["cluster-b"]}


@pytest.mark.parametrize("user", ["member", "other"])
def test_only_admins_change_the_managed_state(admin_api, cluster, compute_rpc, user):
    resp = _patch(admin_api, cluster, {"managedstate": "Unmanaged"}, user=user)
    assert error_message(resp, 403) == "Permission denied"
    assert error_message(admin_api.get("/v1/clusters?managedstate=Managed", user=user),
                    403) == "Permission denied"
    assert _managed_state(cluster) == "Managed"
    assert compute_rpc.casts == []


@pytest.mark.parametrize("value", ["unmanaged", "Maintenance", "", None, 1, ["Managed"]])
def test_a_bad_managed_state_is_a_400_naming_the_field(admin_api, cluster, compute_rpc, value):
    resp = _patch(admin_api, cluster, {"managedstate": value, "name": "renamed"})
    assert "managedstate" in error_message(resp, 400)
    placed = hierarchy.placed_get(models.Cluster, cluster)
    assert (placed.row.managed_state, placed.row.name) == ("Managed", "cluster-a")
    assert compute_rpc.casts == []


def test_a_bad_managed_state_filter_or_create_is_a_400(admin_api, cluster):
    assert "managedstate" in error_message(
        admin_api.get("/v1/clusters?managedstate=Off", user="admin"), 400)
    pod_id = hierarchy.placed_get(models.Cluster, cluster).parents["pod_id"]
    resp = admin_api.post("/v1/clusters", {"cluster": {
        "name": "cluster-b", "pod_id": pod_id, "hypervisor_type": "xen",
        "managedstate": "Off"}}, user="admin")
    assert "managedstate" in error_message(resp, 400)
    assert [row.row.name for row in hierarchy.placed_list(models.Cluster)] == ["cluster-a"]


# --- actions on instances of an unmanaged cluster --------------------------------------------

ACTIONS = [  # (action, its argument, the instance's vm_state, the name the 409 gives)
    ("os-start", None, states.STOPPED, "start"),
    ("os-stop", None, states.ACTIVE, "stop"),
    ("reboot", {"type": "SOFT"}, states.ACTIVE, "reboot"),
    ("reboot", {"type": "HARD"}, states.ACTIVE, "reboot"),
    ("suspend", None, states.ACTIVE, "suspend"),
    ("resume", None, states.SUSPENDED_VM, "resume"),
    ("resize", {"flavorRef": "2"}, states.ACTIVE, "resize"),
]


def _assert_refused(resp, instance, action):
    message = error_message(resp, 409)
    assert message == (f"Cannot '{action}' instance {instance.uuid}: its cluster cluster-a is "
                       f"unmanaged (its hypervisors are being upgraded or serviced); try "
                       f"again once an admin manages it again.")
    after = db.instance_get(instance.uuid)
    assert (after.vm_state, after.task_state) == (instance.vm_state, None)


@pytest.mark.parametrize("action,args,vm_state,name", ACTIONS)
def test_every_action_on_an_instance_of_an_unmanaged_cluster_is_a_409(
        api, cluster, compute_rpc, action, args, vm_state, name):
    instance = add_instance(vm_state=vm_state)
    _unmanage(cluster)
    _assert_refused(api.post(f"/servers/{instance.uuid}/action", {action: args}), instance,
                    name)
    assert compute_rpc.casts == []


def test_delete_and_admin_migrate_are_refused_too(api, admin_api, cluster, compute_rpc):
    instance = add_instance()
    _unmanage(cluster)
    _assert_refused(api.delete(f"/servers/{instance.uuid}"), instance, "delete")
    _assert_refused(api.post(f"/servers/{instance.uuid}/action", {"migrate": None},
                             user="admin"), instance, "migrate")
    _assert_refused(admin_api.post(f"/v1/servers/{instance.uuid}/cold-migrate", {},
                                   user="admin"), instance, "migrate")
    assert not db.instance_get(instance.uuid).deleted
    assert compute_rpc.casts == []


def test_live_migration_inside_an_unmanaged_cluster_is_refused(admin_api, cluster, compute_rpc):
    instance = add_instance(storage_kind="shared")
    _unmanage(cluster)
    _assert_refused(admin_api.post(f"/v1/servers/{instance.uuid}/migrate", {"host": "host2"},
                                   user="admin"), instance, "live-migrate")
    assert db.migration_open_for_instance(instance.uuid) is None
    assert compute_rpc.casts == []


def _waiting_migration(instance, source="host2", dest="host1"):
    with writer() as session:
        return db.migration_create(session, dict(
            instance_uuid=instance.uuid, migration_type="resize", status="verify-migration",
            source_host=source, dest_host=dest, next_step_host=None,
            old_flavor={}, new_flavor={}))


@pytest.mark.parametrize("action", ["confirmResize", "revertResize"])
def test_confirm_and_revert_are_refused(api, cluster, compute_rpc, action):
    instance = add_instance(vm_state=states.RESIZED)
    migration = _waiting_migration(instance)
    _unmanage(cluster)
    _assert_refused(api.post(f"/servers/{instance.uuid}/action", {action: None}), instance,
                    action)
    assert db.migration_get(migration.uuid).outcome is None
    assert compute_rpc.casts == []


def test_cancel_of_a_migration_in_an_unmanaged_cluster_is_refused(admin_api, cluster,
                                                                  compute_rpc):
    instance = add_instance(task_state=states.RESIZE_MIGRATING)
    with writer() as session:
        migration = db.migration_create(session, dict(
            instance_uuid=instance.uuid, migration_type="resize", status="migrating",
            source_host="host1", dest_host="host2", next_step_host="host1",
            old_flavor={}, new_flavor={}))
    _unmanage(cluster)
    resp = admin_api.post(f"/v1/migrations/{migration.uuid}/cancel", {}, user="admin")
    assert "its cluster cluster-a is unmanaged" in error_message(resp, 409)
    assert db.migration_get(migration.uuid).outcome is None
    assert compute_rpc.casts == []


def test_another_projects_instance_stays_not_found(api, cluster, compute_rpc):
    instance = add_instance(project=OTHER_PROJECT)
    _unmanage(cluster)
    assert api.post(f"/servers/{instance.uuid}/action", {"os-stop": None}).status_int == 404
    assert api.delete(f"/servers/{instance.uuid}").status_int == 404


def test_actions_work_again_once_the_cluster_is_managed(api, cluster, compute_rpc):
    instance = add_instance()
    _unmanage(cluster)
    assert api.post(f"/servers/{instance.uuid}/action", {"os-stop": None}).status_int == 409
    hierarchy.update(models.Cluster, cluster, {"managed_state": "Managed"})
    assert api.post(f"/servers/{instance.uuid}/action", {"os-stop": None}).status_int == 202
    assert compute_rpc.casts == [("stop_instance", "host1", instance.uuid)]


def test_instances_of_other_clusters_are_not_affected(api, cluster, compute_rpc):
    instance = add_instance(host="loose")
    add_host("loose")
    _unmanage(cluster)
    assert api.post(f"/servers/{instance.uuid}/action", {"os-stop": None}).status_int == 202
