"""`godwit security-group ...`: the admin API requests sent and what is printed."""

import json

import pytest

from tests.unit.cli.conftest import assert_error_line, fault, json_response, run, table_row
from tests.unit.cli.test_hypervisor_capability_commands import CapabilitySession

GROUP_ID = "7b0c1d2e-3f4a-4b5c-8d6e-7f8a9b0c1d2e"
RULE_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
PROJECT = "1f0e3a0c6d2b4c0b9d2e6f1a2b3c4d5e"


def make_rule(**fields):
    return {"id": RULE_ID, "security_group_id": GROUP_ID, "direction": "ingress",
            "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
            "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": None,
            **fields}


def make_group(rules=()):
    return {"id": GROUP_ID, "project_id": PROJECT, "name": "web", "description": "web",
            "rules": list(rules), "created_at": "2024-05-01T12:00:00Z", "updated_at": None}


@pytest.fixture
def session(conn):
    conn.session = CapabilitySession()
    return conn.session


def test_list_shows_each_group_and_filters_by_project(session):
    session.answers.append(json_response(200, {"security_groups": [make_group([make_rule()])]}))

    result = run("security-group", "list", "--project", PROJECT)

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, GROUP_ID) == [GROUP_ID, "web", PROJECT, "web", "1"]
    assert session.requests == [("GET", "/security-groups", {"project_id": PROJECT}, None)]


def test_show_prints_the_group_and_its_rules(session):
    remote = make_rule(id="r2", protocol=None, port_range_min=None, port_range_max=None,
                       remote_ip_prefix=None, remote_group_id=GROUP_ID)
    session.answers.append(json_response(200, {"security_group": make_group(
        [make_rule(port_range_max=25), remote])}))

    result = run("security-group", "show", GROUP_ID)

    assert result.exit_code == 0, result.output
    assert table_row(result.stdout, "name") == ["name", "web"]
    assert table_row(result.stdout, RULE_ID) == [RULE_ID, "tcp", "22:25", "0.0.0.0/0"]
    assert table_row(result.stdout, "r2") == ["r2", "any", "", f"group {GROUP_ID}"]


def test_create_sends_the_project_name_and_description(session):
    session.answers.append(json_response(201, {"security_group": make_group()}))

    result = run("-f", "json", "security-group", "create", "web", "--project", PROJECT,
                 "--description", "web")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == GROUP_ID
    assert session.requests == [("POST", "/security-groups", {}, {"security_group": {
        "project_id": PROJECT, "name": "web", "description": "web"}})]


def test_create_needs_a_project(session):
    result = run("security-group", "create", "web")

    assert result.exit_code == 2 and "--project" in result.output
    assert session.requests == []


def test_rule_create_sends_only_what_is_given(session):
    session.answers.append(json_response(201, {"rule": make_rule(port_range_max=8080)}))

    result = run("-f", "json", "security-group", "rule-create", GROUP_ID, "--protocol", "tcp",
                 "--port", "8000:8080", "--remote-ip", "10.0.0.0/8")

    assert result.exit_code == 0, result.output
    assert session.requests == [("POST", f"/security-groups/{GROUP_ID}/rules", {}, {"rule": {
        "protocol": "tcp", "port_range_min": 8000, "port_range_max": 8080,
        "remote_ip_prefix": "10.0.0.0/8"}})]


def test_rule_create_refuses_a_bad_port_before_asking(session):
    result = run("security-group", "rule-create", GROUP_ID, "--protocol", "tcp", "--port", "ssh")

    assert result.exit_code == 2 and "--port" in result.output
    assert session.requests == []


def test_the_apis_refusal_is_one_error_line(session):
    session.answers.append(fault(409, "Security group web is in use by instance(s) x."))

    result = run("security-group", "delete", GROUP_ID)

    assert_error_line(result, "Security group web is in use by instance(s) x. (HTTP 409)")
    assert session.requests == [("DELETE", f"/security-groups/{GROUP_ID}", {}, None)]


def test_rule_delete(session):
    session.answers.append(json_response(204))

    result = run("security-group", "rule-delete", GROUP_ID, RULE_ID)

    assert result.exit_code == 0, result.output
    assert session.requests == [("DELETE", f"/security-groups/{GROUP_ID}/rules/{RULE_ID}", {},
                                 None)]
