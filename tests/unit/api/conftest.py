"""Requests, callers and a fake compute API for testing API pieces without a database."""
import datetime
import json
import types

import pytest

from godwit import context as godwit_context
from godwit import exception, policy
from godwit.api import wsgi
from godwit.api.admin import create_app as create_admin_app
from godwit.api.openstack.compute import create_app as create_compute_app
from godwit.db import api as db
from godwit.db import models


@pytest.fixture
def make_request():
    """``make_request(path, version=(2, 1), roles=("member",), base=...)``: a Request as the
    compute app sees it after the microversion middleware and auth."""
    def make(path="/", version=(2, 1), roles=("member",), base="http://localhost/v2.1",
             project_id="p1"):
        req = wsgi.Request.blank(path, base_url=base)
        req.environ[wsgi.VERSION_KEY] = version
        req.environ[wsgi.CONTEXT_KEY] = godwit_context.RequestContext(
            user_id="u1", project_id=project_id, roles=list(roles))
        return req
    return make


@pytest.fixture
def admin_only_policy(monkeypatch):
    """policy.check: only admins pass (the defaults for every rule these tests touch)."""
    monkeypatch.setattr(policy, "check",
                        lambda context, rule, target=None: "admin" in context.roles)


@pytest.fixture
def instance():
    """A server row as the views read it."""
    import datetime
    created = datetime.datetime(2024, 5, 1, 12, 0, 0)
    return types.SimpleNamespace(
        id=42, uuid="6f1d3e2a-0b4c-4d5e-8f90-1a2b3c4d5e6f", display_name="Web Server_1",
        description=None, project_id="p1", user_id="u1", flavorid="1", flavor_name="m1.tiny",
        flavor_extra_specs={"a": "b"}, image_ref="8e0d3c1a-6a43-4cb4-9f0a-2c2f1b5c0a01",
        vcpus=1, memory_mb=512, root_gb=1, ephemeral_gb=0, swap=0, host=None, node=None,
        availability_zone=None, vm_state="building", task_state="scheduling", power_state=0,
        progress=0, key_name=None, reservation_id="r-1", locked=False, launched_at=None,
        terminated_at=None, created_at=created, updated_at=None, metadata_items=[], faults=[],
        security_groups=[])


# --- migrations ----------------------------------------------------------------------------

SERVER = "6f1d3e2a-0b4c-4d5e-8f90-1a2b3c4d5e6f"
OTHER_SERVER = "0c7c2f7e-3a57-4c55-9b56-0d1f5fd2a7c1"


def _recorder(name):
    def record(self, context, *args, **kwargs):
        self.calls.append((name, args, kwargs))
        if name in self.errors:
            raise self.errors[name]
    return record


class FakeComputeAPI:
    """The compute API as the REST layer sees it: records the calls that change things,
    raises ``errors[name]`` when one is set, and reads from ``servers`` and ``migrations``
    (newest first, as the real one returns them)."""

    def __init__(self):
        self.calls = []
        self.errors = {}
        self.servers = {SERVER: types.SimpleNamespace(uuid=SERVER, project_id="p1"),
                        OTHER_SERVER: types.SimpleNamespace(uuid=OTHER_SERVER,
                                                            project_id="p2")}
        self.migrations = []

    resize = _recorder("resize")
    migrate = _recorder("migrate")
    confirm_resize = _recorder("confirm_resize")
    revert_resize = _recorder("revert_resize")
    cancel_migration = _recorder("cancel_migration")

    def get(self, context, instance_uuid, details=False):
        server = self.servers.get(instance_uuid)
        if server is None or not (context.can_see_all_projects()
                                  or server.project_id == context.project_id):
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return server

    def get_migration(self, context, migration_id):
        for migration in self.migrations:
            if migration_id in (str(migration.id), migration.uuid):
                return migration
        raise exception.MigrationNotFound(migration_id=migration_id)

    def list_migrations(self, context, filters=None, limit=None, marker=None):
        self.calls.append(("list_migrations", (filters,), {"limit": limit, "marker": marker}))
        return self.migrations[:limit]


@pytest.fixture
def compute_api():
    return FakeComputeAPI()


@pytest.fixture
def make_migration():
    """``make_migration(id, **columns)``: a Migration row, never stored, of SERVER."""
    def make(id=1, **columns):
        created = datetime.datetime(2024, 5, 1, 12, 0, 0)
        values = dict(
            id=id, uuid=f"00000000-0000-4000-8000-{id:012d}", instance_uuid=SERVER,
            migration_type="resize", status="migrating", outcome=None, source_host="h1",
            dest_host="h2", next_step_host="h1", old_flavor=_flavor(7, "1", "m1.tiny", 1),
            new_flavor=_flavor(8, "2", "m1.small", 2), bytes_total=1000,
            bytes_transferred=250, error=None, power_on=True, created_at=created,
            updated_at=created + datetime.timedelta(seconds=30, microseconds=5))
        return models.Migration(**{**values, **columns})
    return make


def _flavor(db_id, flavorid, name, size):
    return {"id": db_id, "flavorid": flavorid, "name": name, "vcpus": size,
            "memory_mb": 512 * size, "root_gb": size, "ephemeral_gb": 0, "swap": 0,
            "extra_specs": {}}


@pytest.fixture
def hosts(monkeypatch):
    """Two hosts, h1 and h2, as the Nova migration views look their addresses up."""
    rows = [types.SimpleNamespace(name="h1", address="10.0.0.1"),
            types.SimpleNamespace(name="h2", address="10.0.0.2")]
    monkeypatch.setattr(db, "host_list", lambda: rows)
    return rows


@pytest.fixture
def call(compute_api, hosts):
    """``call(method, path, body=None, version=None, roles=("member",), project_id="p1",
    app="compute")``: the response of the compute (``/v2.1``) or admin (``/admin``) app,
    without a token: the caller's context is put where the auth middleware puts it."""
    apps = {"compute": ("http://localhost/v2.1", create_compute_app(compute_api=compute_api)),
            "admin": ("http://localhost/admin", create_admin_app(compute_api=compute_api))}

    def request(method, path, body=None, version=None, roles=("member",), project_id="p1",
                app="compute"):
        base, wsgi_app = apps[app]
        req = wsgi.Request.blank(path, base_url=base, method=method)
        if body is not None:
            req.body = body if isinstance(body, bytes) else json.dumps(body).encode()
            req.content_type = "application/json"
        if version:
            req.headers["OpenStack-API-Version"] = f"compute {version}"
        req.environ[wsgi.CONTEXT_KEY] = godwit_context.RequestContext(
            user_id="u1", project_id=project_id, roles=list(roles))
        return req.get_response(wsgi_app)
    return request
