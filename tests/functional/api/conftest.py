"""The compute and image apps in-process (webob requests) over a fresh SQLite database.

RPC is replaced by fakes that record what would have been sent; a tiny middleware plays the
auth middleware's part, taking the caller from the ``X-Test-User`` header. The database
fixture ``sqlite_db`` is tests/conftest.py's.
"""
import json

import pytest
import webob

from godwit import context as godwit_context
from godwit import exception
from godwit.api import wsgi
from godwit.api.admin import create_app as create_admin_app
from godwit.api.image import create_app as create_image_app
from godwit.api.openstack import versions
from godwit.api.openstack.compute import create_app as create_compute_app
from godwit.compute import api as compute_api_module
from godwit.compute import states
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer

PROJECT = "1f0e3a0c6d2b4c0b9d2e6f1a2b3c4d5e"
OTHER_PROJECT = "9a8b7c6d5e4f40318a2b1c0d9e8f7a6b"
ADMIN_PROJECT = "0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5"
IMAGE = "8e0d3c1a-6a43-4cb4-9f0a-2c2f1b5c0a01"
PRIVATE_IMAGE = "3b4f2e8d-1c5a-4d7e-8f90-6a1b2c3d4e02"
OTHER_IMAGE = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e03"
USERS = {
    # name: (user id, project, roles)
    "member": ("u-member", PROJECT, ["member", "reader"]),
    "reader": ("u-reader", PROJECT, ["reader"]),
    "other": ("u-other", OTHER_PROJECT, ["member", "reader"]),
    "admin": ("u-admin", ADMIN_PROJECT, ["admin", "member", "reader"]),
}


class FakeComputeRPC:
    """Records casts instead of sending them."""

    def __init__(self):
        self.casts = []

    def __getattr__(self, method):
        def cast(context, host, instance_uuid, *args, **kwargs):
            self.casts.append((method, host, instance_uuid))
        return cast


class FakeSchedulerRPC:
    """Picks ``hosts`` for every instance, or raises NoValidHost when there are none."""

    def __init__(self):
        self.hosts = ["host1"]
        self.calls = []

    def select_destinations(self, context, request_spec, instance_uuids):
        self.calls.append((request_spec, instance_uuids))
        if not self.hosts:
            raise exception.NoValidHost(reason="")
        return [list(self.hosts) for _ in instance_uuids]



@pytest.fixture
def compute_rpc(monkeypatch):
    fake = FakeComputeRPC()
    monkeypatch.setattr(compute_api_module, "ComputeAPI", lambda: fake)
    return fake


@pytest.fixture
def scheduler_rpc(monkeypatch):
    fake = FakeSchedulerRPC()
    monkeypatch.setattr(compute_api_module, "SchedulerAPI", lambda: fake)
    return fake


@pytest.fixture
def cloud(sqlite_db):
    """Flavors 1 (tiny) and 2 (small, private 3 disabled), images, one up compute host."""
    db.flavor_create(dict(flavorid="1", name="m1.tiny", vcpus=1, memory_mb=512, root_gb=1,
                          extra_specs={"hw:cpu_policy": "shared"}))
    db.flavor_create(dict(flavorid="2", name="m1.small", vcpus=1, memory_mb=2048, root_gb=20,
                          swap=512, extra_specs={}))
    db.flavor_create(dict(flavorid="3", name="private", vcpus=1, memory_mb=512, root_gb=1,
                          is_public=False, extra_specs={}))
    db.flavor_create(dict(flavorid="4", name="retired", vcpus=1, memory_mb=512, root_gb=1,
                          disabled=True, extra_specs={}))
    db.image_create(dict(uuid=IMAGE, name="cirros", size=1024, visibility="public",
                         status="active", properties={"os_distro": "cirros"}))
    db.image_create(dict(uuid=PRIVATE_IMAGE, name="mine", visibility="private", owner=PROJECT,
                         status="active", properties={}))
    db.image_create(dict(uuid=OTHER_IMAGE, name="theirs", visibility="private",
                         owner=OTHER_PROJECT, status="active", properties={}))
    add_host("host1")


def add_host(name, version="8.2.1", binary="godwit-compute"):
    db.host_register(name, dict(hypervisor_type="xen", hypervisor_version=version, vcpus=8,
                                memory_mb=16384, disk_gb=500, address="10.0.0.1"))
    return db.service_register(name, binary, "compute")


def add_cluster(name="pool-1", zone_name="zone-a"):
    """An enabled zone with one pod and one cluster; returns the cluster's id."""
    with writer() as session:
        zone = models.Zone(name=zone_name, allocation_state="Enabled")
        session.add(zone)
        session.flush()
        pod = models.Pod(name="pod", zone_id=zone.id)
        session.add(pod)
        session.flush()
        cluster = models.Cluster(name=name, pod_id=pod.id, hypervisor_type="xen")
        session.add(cluster)
        session.flush()
        return cluster.id


def add_instance(project=PROJECT, name="vm", host="host1", vm_state=states.ACTIVE,
                 task_state=None, **values):
    """A server row as if it had been built (no API call, no casts)."""
    return db.instance_create(dict(
        dict(display_name=name, project_id=project, user_id="u-member", flavorid="1",
             flavor_name="m1.tiny", flavor_extra_specs={"hw:cpu_policy": "shared"},
             image_ref=IMAGE, vcpus=1, memory_mb=512, root_gb=1, host=host, node=host,
             vm_state=vm_state, task_state=task_state,
             power_state=states.RUNNING if vm_state == states.ACTIVE else states.SHUTDOWN,
             reservation_id="r-test", networks="none"), **values),
        metadata={"role": "web"})


def count_rows(model):
    from sqlalchemy import func, select

    from godwit.db.session import reader
    with reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def row_counts():
    """Rows of every table a bad request could touch."""
    return {model.__tablename__: count_rows(model)
            for model in (models.Instance, models.InstanceMetadata, models.Flavor,
                          models.Service, models.InstanceFault)}


class InjectContext:
    """Stands in for the auth middleware: the caller is named by ``X-Test-User``."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        name = environ.get("HTTP_X_TEST_USER")
        if name:
            user_id, project_id, roles = USERS[name]
            environ[wsgi.CONTEXT_KEY] = godwit_context.RequestContext(
                user_id=user_id, project_id=project_id, roles=roles)
        return self.app(environ, start_response)


class Client:
    """Requests to an app mounted at ``mount``, as one of USERS."""

    def __init__(self, app, mount):
        self.app = app
        self.mount = mount

    def request(self, method, path, body=None, user="member", version=None, raw=None,
                headers=None):
        req = webob.Request.blank(path, base_url=f"http://localhost{self.mount}",
                                  method=method)
        if user:
            req.headers["X-Test-User"] = user
        if version:
            req.headers["OpenStack-API-Version"] = f"compute {version}"
        for key, value in (headers or {}).items():
            req.headers[key] = value
        if raw is not None or body is not None:
            req.body = raw if raw is not None else json.dumps(body).encode()
            req.content_type = "application/json"
        return req.get_response(self.app)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body=body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def compute_api(compute_rpc, scheduler_rpc):
    return compute_api_module.API()


@pytest.fixture
def api(cloud, compute_api):
    """The compute app at /v2.1, over the ``cloud`` data."""
    return Client(InjectContext(create_compute_app(compute_api=compute_api)), "/v2.1")


@pytest.fixture
def admin_api(cloud, compute_api):
    """The admin API (``/admin``) over the same database and RPC fakes as ``api``."""
    return Client(InjectContext(create_admin_app(compute_api=compute_api)), "/admin")


def error_message(resp, code):
    """The message of an error response, once its status is checked."""
    assert resp.status_int == code, resp.text
    return next(iter(resp.json.values()))["message"]


@pytest.fixture
def image_api(cloud):
    return Client(InjectContext(create_image_app()), "/image")


@pytest.fixture
def root_api():
    return Client(versions.create_app(), "")


def server_body(name="vm", flavor="1", image=IMAGE, networks="none", **extra):
    return {"server": {"name": name, "flavorRef": flavor, "imageRef": image,
                       "networks": networks, **extra}}
