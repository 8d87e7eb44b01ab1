"""The compute RPC client sends what the receiving workers understand."""
import pytest

from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.context import get_admin_context

FLAVOR = {"flavorid": "2", "vcpus": 2}


@pytest.fixture
def sent(monkeypatch):
    def send(cap=None):
        if cap:
            CONF.set_override("compute", cap, group="upgrade_levels")
        api = ComputeAPI()
        casts = []
        monkeypatch.setattr(api, "_cast", lambda context, host, method, version="1.0",
                            **kwargs: casts.append((version, method, kwargs)))
        api.prepare_migration(get_admin_context(), "dst", "i-1", FLAVOR, ["alt"], "token-1")
        return casts
    yield send
    CONF.clear_override("compute", group="upgrade_levels")


def test_prepare_migration_carries_the_task_token(sent):
    assert sent() == [("1.8", "prepare_migration", {
        "instance_uuid": "i-1", "new_flavor": FLAVOR, "alternates": ["alt"],
        "task_token": "token-1"})]


def test_workers_older_than_1_8_get_prepare_migration_without_the_token(sent):
    assert sent("1.7") == [("1.1", "prepare_migration", {
        "instance_uuid": "i-1", "new_flavor": FLAVOR, "alternates": ["alt"]})]
