"""Deploy on a named host: the Compute API's 2.74 ``host``/``hypervisor_hostname`` and the
admin API's ``POST /admin/v1/servers`` with ``host_id``, against the real scheduler.

The named host is the only candidate: when it cannot take the server the request is a 400
saying why, and no instance row is left behind; only admins may name a host.
"""
import types

import pytest

from godwit.compute import api as compute_api_module
from godwit.compute import build, states
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.scheduler import filters
from godwit.scheduler.manager import SchedulerManager
from tests.functional.api.conftest import (
    IMAGE,
    add_host,
    add_instance,
    count_rows,
    server_body,
)

KVM_IMAGE = "6d7e8f90-1a2b-4c3d-8e4f-5a6b7c8d9e04"


@pytest.fixture
def scheduler(monkeypatch):
    """The real scheduler, called in-process, re-reading the hosts at every choice."""
    CONF.set_override("cache_refresh_interval", 0, group="scheduler")
    CONF.set_override("enabled_filters", list(filters.ALL), group="scheduler")
    manager = SchedulerManager()
    monkeypatch.setattr(compute_api_module, "SchedulerAPI", lambda: manager)
    yield manager
    for name in ("cache_refresh_interval", "enabled_filters"):
        CONF.clear_override(name, group="scheduler")


@pytest.fixture(autouse=True)
def tree(cloud):
    """host1 in zone-a > pod-a > pool-a, host2 in zone-b > pod-b > pool-b, all Enabled and
    without overcommit; a kvm-only image. {name: uuid} of every level and host."""
    uuids = {}
    for suffix, host in (("a", "host1"), ("b", "host2")):
        zone = hierarchy.create(models.Zone, {"name": f"zone-{suffix}",
                                              "allocation_state": "Enabled"}).row
        pod = hierarchy.create(models.Pod, {"name": f"pod-{suffix}",
                                            "allocation_state": "Enabled"}, zone.uuid).row
        cluster = hierarchy.create(models.Cluster, {
            "name": f"pool-{suffix}", "allocation_state": "Enabled",
            "hypervisor_type": "xen"}, pod.uuid).row
        add_host(host)
        db.host_register(host, {"cluster_id": cluster.id, "allocation_state": "Enabled",
                                "cpu_allocation_ratio": 1.0, "ram_allocation_ratio": 1.0,
                                "disk_allocation_ratio": 1.0})
        uuids.update({zone.name: zone.uuid, pod.name: pod.uuid, cluster.name: cluster.uuid,
                      host: db.host_get(host).uuid})
    db.image_create(dict(uuid=KVM_IMAGE, name="kvm-only", visibility="public",
                         status="active", hypervisor_type="kvm", properties={}))
    return uuids


@pytest.fixture
def compute_api(compute_rpc, scheduler):
    return compute_api_module.API()


def _create(api, user="admin", version="2.74", **server):
    return api.post("/servers", server_body(**server), user=user, version=version)


def _message(resp):
    return next(iter(resp.json.values()))["message"]


def _builds(compute_rpc):
    return [(method, host) for method, host, _ in compute_rpc.casts]


# --- the Compute API ------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["host", "hypervisor_hostname"])
def test_admin_builds_on_the_named_host_only(api, compute_rpc, field):
    for _ in range(3):
        resp = _create(api, **{field: "host2"})
        assert resp.status_code == 202, resp.text
    assert _builds(compute_rpc) == [("build_and_run_instance", "host2")] * 3
    server = api.get(f"/servers/{resp.json['server']['id']}", user="admin",
                     version="2.74").json["server"]
    assert server["status"] == "BUILD"


def test_both_fields_must_agree(api, compute_rpc):
    assert _create(api, host="host2", hypervisor_hostname="host2").status_code == 202
    resp = _create(api, host="host1", hypervisor_hostname="host2")
    assert resp.status_code == 400
    assert "hypervisor_hostname" in _message(resp)
    assert count_rows(models.Instance) == 1


@pytest.mark.parametrize("user", ["member", "other"])
def test_others_may_not_name_a_host(api, compute_rpc, user):
    resp = _create(api, user=user, host="host1")
    assert resp.status_code == 403
    assert _message(resp) == "Permission denied"
    assert count_rows(models.Instance) == 0
    assert _create(api, user="member").status_code == 202


def test_host_is_unknown_before_2_74(api, compute_rpc):
    resp = _create(api, version="2.73", host="host1")
    assert resp.status_code == 400
    assert "host" in _message(resp)
    assert count_rows(models.Instance) == 0


def _disable(level, name):
    def change(tree):
        hierarchy.update(level, tree[name], {"allocation_state": "Disabled"})
    return change


def _host_values(**values):
    return lambda tree: db.host_register("host1", values)


def _service(**values):
    def change(tree):
        db.service_update(db.service_list(host="host1")[0].uuid, values)
    return change


def _no_service(tree):
    db.host_register("host3", dict(hypervisor_type="xen", hypervisor_version="8.2.1",
                                   vcpus=8, memory_mb=16384, disk_gb=500,
                                   allocation_state="Enabled"))


REFUSALS = [
    # (change, request, what the 400 says)
    (lambda tree: None, {"host": "nowhere"}, "Host nowhere is unknown."),
    (_host_values(allocation_state="Disabled"), {},
     "Host host1 cannot take the instance: the host is Disabled."),
    (_disable(models.Cluster, "pool-a"), {}, "its cluster is Disabled"),
    (_disable(models.Pod, "pod-a"), {}, "its pod is Disabled"),
    (_disable(models.Zone, "zone-a"), {}, "its zone is Disabled"),
    (_no_service, {"host": "host3"}, "Host host3 cannot take the instance: its compute "
                                     "service is down"),
    (_service(disabled=True), {}, "its compute service is disabled"),
    (_host_values(maintenance_state="flushing"), {}, "in maintenance (state flushing)"),
    (_host_values(vcpus_used=8), {}, "not enough free vCPUs: 0 free, 1 needed"),
    (_host_values(memory_mb_used=16000), {},
     "not enough free RAM: 384 MiB free, 512 MiB needed"),
    (_host_values(disk_gb_used=500), {}, "not enough free disk: 0 GiB free, 1 GiB needed"),
    (_host_values(running_vms=500), {},
     "it has reached its guest limit (500 guests, max_guests_limit 500"),
    (lambda tree: None, {"image": KVM_IMAGE},
     "the image is for kvm hosts and this host runs xen"),
    (lambda tree: None, {"availability_zone": "zone-b"},
     "Host host1 cannot take the instance: it is in availability zone zone-a, not in the "
     "requested availability zone zone-b."),
]


@pytest.mark.parametrize("change, request_, reason", REFUSALS)
def test_a_host_that_cannot_take_the_server_fails_the_request(api, compute_rpc, tree, change,
                                                              request_, reason):
    change(tree)
    resp = _create(api, **{"host": "host1", **request_})
    assert resp.status_code == 400, resp.text
    assert reason in _message(resp)
    assert count_rows(models.Instance) == 0
    assert compute_rpc.casts == []


def test_the_whole_request_must_fit_the_host(api, compute_rpc):
    db.host_register("host1", {"vcpus_used": 6})
    resp = _create(api, host="host1", min_count=3)
    assert resp.status_code == 400
    assert "not enough free vCPUs: 0 free, 1 needed" in _message(resp)
    assert count_rows(models.Instance) == 0
    assert _create(api, host="host1", min_count=2).status_code == 202
    assert _builds(compute_rpc) == [("build_and_run_instance", "host1")] * 2


def test_a_full_named_host_at_claim_time_is_an_error_not_a_retry(api, compute_rpc):
    server_id = _create(api, host="host1").json["server"]["id"]
    db.host_register("host1", {"vcpus_used": 8})
    manager = types.SimpleNamespace(host="host1", compute_rpcapi=compute_rpc)
    build.build(None, manager, server_id, [])
    instance = db.instance_get(server_id, details=True)
    assert instance.vm_state == states.ERROR and instance.host is None
    assert "Host host1 had no room left" in instance.faults[0].message
    assert _builds(compute_rpc) == [("build_and_run_instance", "host1")]


def test_migrating_to_a_named_host_explains_the_refusal_too(api, compute_rpc):
    server = add_instance(host="host2")
    db.host_register("host1", {"allocation_state": "Disabled"})
    resp = api.post(f"/servers/{server.uuid}/action", {"migrate": {"host": "host1"}},
                    user="admin", version="2.56")
    assert resp.status_code == 400
    assert _message(resp) == ("No valid host was found. Host host1 cannot take the instance: "
                              "the host is Disabled.")
    assert db.instance_get(server.uuid).task_state is None


# --- the admin API --------------------------------------------------------------------------

def _admin_create(admin_api, user="admin", **body):
    return admin_api.post("/v1/servers", {"name": "vm", "flavor": "1", "image": IMAGE, **body},
                          user=user)


def test_admin_api_builds_on_the_host_named_by_its_id(admin_api, compute_rpc, tree):
    resp = _admin_create(admin_api, host_id=tree["host2"], count=2, metadata={"k": "v"})
    assert resp.status_code == 202, resp.text
    ids = [server["id"] for server in resp.json["servers"]]
    assert [server["name"] for server in resp.json["servers"]] == ["vm-1", "vm-2"]
    assert _builds(compute_rpc) == [("build_and_run_instance", "host2")] * 2
    assert {db.instance_get(uuid).display_name for uuid in ids} == {"vm-1", "vm-2"}


def test_admin_api_without_a_host_lets_the_scheduler_choose(admin_api, compute_rpc):
    resp = _admin_create(admin_api, availability_zone="zone-b")
    assert resp.status_code == 202, resp.text
    assert len(_builds(compute_rpc)) == 1


@pytest.mark.parametrize("user", ["member", "other", "reader"])
def test_admin_api_create_is_for_admins(admin_api, compute_rpc, tree, user):
    resp = _admin_create(admin_api, user=user, host_id=tree["host1"])
    assert resp.status_code == 403
    assert _message(resp) == "Permission denied"
    assert count_rows(models.Instance) == 0


@pytest.mark.parametrize("body, field", [
    ({"host_id": "4a1c7e52-3a6e-4f8b-9a7d-0c2e5b8f1d90"}, "host_id"),
    ({"host_id": "host1"}, "host_id"),
    ({"flavor": "99"}, "flavor"),
    ({"image": "4a1c7e52-3a6e-4f8b-9a7d-0c2e5b8f1d90"}, "image"),
    ({"name": ""}, "name"),
    ({"count": 0}, "count"),
    ({"metadata": {"bad key!": "v"}}, "metadata"),
    ({"colour": "blue"}, "colour"),
    ({"availability_zone": "nowhere"}, "availability_zone"),
])
def test_admin_api_bad_input_is_a_400_naming_the_field(admin_api, compute_rpc, body, field):
    resp = _admin_create(admin_api, **body)
    assert resp.status_code == 400, resp.text
    assert field in _message(resp)
    assert count_rows(models.Instance) == 0


def test_admin_api_refusal_says_why_and_leaves_nothing(admin_api, compute_rpc, tree):
    db.host_register("host1", {"memory_mb_used": 16000})
    resp = _admin_create(admin_api, host_id=tree["host1"])
    assert resp.status_code == 400
    assert _message(resp) == ("No valid host was found. Host host1 cannot take the instance: "
                              "not enough free RAM: 384 MiB free, 512 MiB needed.")
    assert count_rows(models.Instance) == 0
    assert compute_rpc.casts == []
