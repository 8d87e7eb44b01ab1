"""Requests and callers for testing API pieces without an app or a database."""
import types

import pytest

from godwit import context as godwit_context
from godwit import policy
from godwit.api import wsgi


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
        terminated_at=None, created_at=created, updated_at=None, metadata_items=[], faults=[])
