"""Server list filters: what each caller may filter by, and what each filter means."""
import types

import pytest

from godwit import exception
from godwit.api.openstack.compute import server_filters


@pytest.mark.parametrize("value, expected", [
    ("3", "3"), ("http://h/v2.1/flavors/3", "3"), ("http://h/flavors/m1.tiny/", "m1.tiny")])
def test_id_from_href(value, expected):
    assert server_filters.id_from_href(value) == expected


@pytest.mark.parametrize("params, expected", [
    ({}, False), ({"all_tenants": ""}, True), ({"all_tenants": "1"}, True),
    ({"all_tenants": "False"}, False), ({"all_tenants": "yes"}, True)])
def test_all_tenants(params, expected):
    assert server_filters.all_tenants(params) is expected


def test_all_tenants_rejects_other_words():
    with pytest.raises(exception.Invalid):
        server_filters.all_tenants({"all_tenants": "maybe"})


def _row(**values):
    defaults = dict(display_name="web-1", vm_state="active", task_state=None,
                    reservation_id="r-1", node="h1", key_name=None, uuid="u1",
                    updated_at=None, created_at=None)
    return types.SimpleNamespace(**{**defaults, **values})


def test_member_filters(make_request, admin_only_policy):
    filters = server_filters.parse(make_request(
        "/servers?name=web&status=ACTIVE&image=i1&flavor=http://h/flavors/2&host=h9"))
    assert filters.db_filters == {"image_ref": "i1", "flavorid": "2"}
    assert filters.keep(_row())
    assert not filters.keep(_row(display_name="db-1"))
    assert not filters.keep(_row(task_state="rebooting"))
    assert not filters.all_projects


def test_admin_filters(make_request, admin_only_policy):
    filters = server_filters.parse(make_request(
        "/servers?all_tenants=1&host=h9&project_id=p2&vm_state=stopped&node=n1",
        roles=("admin",)))
    assert filters.all_projects
    assert filters.db_filters == {"host": "h9", "project_id": "p2", "vm_states": ["stopped"]}
    assert not filters.keep(_row(node="n2")) and filters.keep(_row(node="n1"))


@pytest.mark.parametrize("query, version, nothing", [
    ("ip=10.0.0.1", (2, 1), True), ("ip6=::1", (2, 4), False), ("ip6=::1", (2, 5), True),
    ("tags=a", (2, 25), False), ("tags=a", (2, 26), True), ("not-tags=a", (2, 26), False)])
def test_filters_nothing_can_match(make_request, admin_only_policy, query, version, nothing):
    filters = server_filters.parse(make_request(f"/servers?{query}", version=version))
    assert filters.matches_nothing is nothing


def test_changes_since_is_compared_in_utc(make_request, admin_only_policy):
    import datetime
    query = "changes-since=2024-05-01T14:00:00%2B02:00"
    filters = server_filters.parse(make_request(f"/servers?{query}"))
    assert filters.keep(_row(created_at=datetime.datetime(2024, 5, 1, 12, 0)))
    assert not filters.keep(_row(created_at=datetime.datetime(2024, 5, 1, 11, 59)))
