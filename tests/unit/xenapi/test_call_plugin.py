"""host.call_plugin: real plugin files run as processes, through the real XenAPI client."""
import json
import os
import time

import pytest
import XenAPI

from godwit.virt.xenapi.simulator import plugins
from tests.unit.xenapi.simulator_harness import login, start_simulator

PLUGIN_DIR = os.path.join(os.path.dirname(__file__), "plugins")


def failure(call, *args):
    with pytest.raises(XenAPI.Failure) as caught:
        call(*args)
    return caught.value.details


@pytest.fixture
def xenapi(tmp_path):
    """A session to a simulator that runs this directory's test plugins."""
    sim = start_simulator(tmp_path / "xapi", plugin_dirs=[PLUGIN_DIR])
    session = login(sim.url)
    yield session.xenapi
    sim.stop()


@pytest.fixture
def host(xenapi):
    return master(xenapi)


def master(xenapi):
    return xenapi.pool.get_master(xenapi.pool.get_all()[0])


def test_echo_returns_the_plugin_string(xenapi, host):
    result = xenapi.host.call_plugin(host, "echo", "echo", {"a": "1", "b": "two"})
    assert json.loads(result) == {"a": "1", "b": "two"}


def test_plugin_session_calls_back_into_the_simulator(xenapi, host):
    assert json.loads(xenapi.host.call_plugin(host, "echo", "whoami", {})) == ["xenserver-1"]


def test_async_call_plugin_calls_back_too(xenapi, host):
    task = xenapi.Async.host.call_plugin(host, "echo", "whoami", {})
    deadline = time.monotonic() + 10
    while xenapi.task.get_status(task) == "pending":
        assert time.monotonic() < deadline, "task still pending"
        time.sleep(0.01)
    record = xenapi.task.get_record(task)
    assert record["status"] == "success"
    assert "xenserver-1" in record["result"]


def test_exception_becomes_plugin_failure(xenapi, host):
    details = failure(xenapi.host.call_plugin, host, "echo", "boom", {"why": "because"})
    assert details == ["XENAPI_PLUGIN_FAILURE", "boom", "ValueError", "boom: because"]


def test_failure_keeps_its_code_and_params(xenapi, host):
    assert failure(xenapi.host.call_plugin, host, "echo", "refuse", {}) == [
        "SR_BACKEND_FAILURE", "x"]


def test_unknown_function(xenapi, host):
    assert failure(xenapi.host.call_plugin, host, "echo", "nope", {}) == [
        "UNKNOWN_XENAPI_PLUGIN_FUNCTION", "nope"]


@pytest.mark.parametrize("plugin", ["missing", "../plugins/echo", ""])
def test_missing_plugin(xenapi, host, plugin):
    assert failure(xenapi.host.call_plugin, host, plugin, "echo", {}) == [
        "XENAPI_MISSING_PLUGIN", plugin]


def test_args_must_be_a_map_of_strings(xenapi, host):
    assert failure(xenapi.host.call_plugin, host, "echo", "echo", {"a": 1})[0] == (
        "FIELD_TYPE_ERROR")
    assert failure(xenapi.host.call_plugin, host, "echo", "echo", "a")[0] == "FIELD_TYPE_ERROR"


def test_bad_host(xenapi, host):
    assert failure(xenapi.host.call_plugin, "OpaqueRef:nope", "echo", "echo", {})[0] == (
        "HANDLE_INVALID")


def test_default_plugin_dir_is_the_repository_one():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert plugins.DEFAULT_PLUGIN_DIRS == (
        os.path.join(root, "plugins", "xenserver", "xapi.d", "plugins"),)
