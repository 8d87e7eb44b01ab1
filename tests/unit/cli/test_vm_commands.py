"""`godwit vm define|show|meta`: a definition file is checked whole before anything is sent
(the line of a malformed file, the field of a bad one), and meta sends only what is given."""
import pathlib

import pytest

from tests.unit.cli.conftest import IMAGE_ID, assert_error_line, json_response, run

EXAMPLE = pathlib.Path(__file__).parents[3] / "doc" / "examples" / "vm-definition.yaml"
VM = {"id": "srv-1", "name": "web1", "project_id": "p", "status": "ACTIVE",
      "host": "compute-3", "previous_host": "compute-4", "storage_kind": "shared",
      "node_limit": ["compute-3"], "node_selector": "mem", "autostart": True,
      "migration_method": "live"}


@pytest.fixture
def api(conn):
    """The admin API's /vms routes, answering as the real one would."""
    def route(method, parts, params):
        if (method, parts) == ("POST", ["vms"]):
            return json_response(202, {"vms": [{"id": "srv-new", "name": "db-primary"}]})
        if parts[0] == "vms":
            return json_response(200, {"vm": VM})
        raise AssertionError(f"unexpected admin API request {method} {parts}")
    conn.session._route = route
    return conn.session


def _sent(session):
    return [(method, path, body) for method, path, _, body in session.requests]


def test_define_sends_the_example_definition_with_ids(api, tmp_path):
    result = run("vm", "define", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    [(method, path, body)] = _sent(api)
    assert (method, path) == ("POST", "/vms")
    assert body["flavor"] == "flv-1" and body["image"] == IMAGE_ID
    assert (body["node_limit"], body["node_selector"], body["autostart"],
            body["migration_method"]) == (["compute-3", "compute-4"], "memprov", True, "live")
    assert "srv-new" in result.stdout


@pytest.mark.parametrize("name, text, where", [
    ("vm.yaml", "name: web\nflavor: m1.small\nimage: [cirros\n", "vm.yaml, line 4"),
    ("vm.yaml", "name: web\n  flavor: x\n", "vm.yaml, line 2"),
    ("vm.json", '{"name": "web",\n "flavor": "m1.small",\n "image" "cirros"}', "vm.json, line 3"),
])
def test_a_malformed_file_names_its_line_and_sends_nothing(api, tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text)
    result = run("vm", "define", str(path))
    assert result.exit_code == 1
    assert where in result.stderr and "malformed" in result.stderr
    assert api.requests == []


@pytest.mark.parametrize("extra, field", [
    ("node_selector: fastest\n", "node_selector"),
    ("migration_method: teleport\n", "migration_method"),
    ("autostart: sometimes\n", "autostart"),
    ("node_limit: compute-3\n", "node_limit"),
    ("colour: blue\n", "colour"),
])
def test_a_bad_field_is_named_and_nothing_is_sent(api, tmp_path, extra, field):
    path = tmp_path / "vm.yaml"
    path.write_text("name: web\nflavor: m1.small\nimage: cirros\n" + extra)
    result = run("vm", "define", str(path))
    assert result.exit_code == 1
    assert field in result.stderr
    assert api.requests == []


def test_meta_sends_only_the_options_given(api):
    result = run("vm", "meta", "web1", "--no-autostart", "--node-selector", "vms")
    assert result.exit_code == 0, result.output
    assert _sent(api) == [("POST", "/vms/srv-1/meta",
                           {"autostart": False, "node_selector": "vms"})]


def test_meta_node_limit_and_clearing_it(api):
    run("vm", "meta", "web1", "--node-limit", "compute-3, compute-4")
    run("vm", "meta", "web1", "--no-node-limit")
    assert [body for _, _, body in _sent(api)] == [
        {"node_limit": ["compute-3", "compute-4"]}, {"node_limit": []}]


def test_meta_without_options_is_an_error(api):
    assert_error_line(run("vm", "meta", "web1"),
                      "Nothing to change: give at least one option (see --help).")
    assert api.requests == []


def test_show_prints_previous_host(api):
    result = run("--format", "json", "vm", "show", "web1")
    assert result.exit_code == 0, result.output
    assert '"previous_host": "compute-4"' in result.stdout
