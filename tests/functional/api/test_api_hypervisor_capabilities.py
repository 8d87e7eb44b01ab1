"""``/admin/v1/hypervisor-capabilities``: CRUD, lookup, and every error, as each caller."""
import pytest

from godwit.compute import capabilities
from godwit.db import capabilities as capability_db
from godwit.db import models
from tests.functional.api.conftest import count_rows, error_message

PATH = "/v1/hypervisor-capabilities"
MISSING = "0b7c6a5e-1d2f-4a3b-8c9d-0e1f2a3b4c5d"
NOT_ADMINS = ("member", "reader", "other")


def _create(admin_api, user="admin", **fields):
    return admin_api.post(PATH, {"hypervisor_capability": fields}, user=user)


def _patch(admin_api, capability_id, fields, user="admin"):
    return admin_api.request("PATCH", f"{PATH}/{capability_id}",
                             body={"hypervisor_capability": fields}, user=user)


@pytest.fixture
def xen_821(admin_api):
    resp = _create(admin_api, hypervisor_type="xen", hypervisor_version="8.2.1",
                   max_guests_limit=50, security_group_enabled=True)
    assert resp.status_int == 201, resp.text
    return resp.json["hypervisor_capability"]


# --- CRUD as an admin ----------------------------------------------------------------------


def test_create_shows_every_field(xen_821):
    assert set(xen_821) == {"id", "hypervisor_type", "hypervisor_version", "max_guests_limit",
                            "security_group_enabled", "max_data_volumes_limit",
                            "storage_motion_supported", "created_at", "updated_at"}
    assert (xen_821["hypervisor_type"], xen_821["hypervisor_version"],
            xen_821["max_guests_limit"], xen_821["security_group_enabled"]) == \
        ("xen", "8.2.1", 50, True)
    assert xen_821["created_at"].endswith("Z") and xen_821["updated_at"] is None
    row = capability_db.capability_get(xen_821["id"])
    assert (row.max_guests_limit, row.security_group_enabled) == (50, True)


def test_fields_left_out_take_the_code_default(admin_api):
    resp = _create(admin_api, hypervisor_type="fake", hypervisor_version="1.0")
    created = resp.json["hypervisor_capability"]
    assert {name: created[name] for name in capabilities.LIMITS} == capabilities.DEFAULT


def test_an_integral_float_is_stored_as_an_integer(admin_api):
    resp = _create(admin_api, hypervisor_type="xen", hypervisor_version="7", max_guests_limit=5.0)
    assert resp.status_int == 201
    assert resp.json["hypervisor_capability"]["max_guests_limit"] == 5
    assert isinstance(resp.json["hypervisor_capability"]["max_guests_limit"], int)


def test_show_list_and_filters(admin_api, xen_821):
    other = _create(admin_api, hypervisor_type="xen", hypervisor_version="8.3.0").json
    fake = _create(admin_api, hypervisor_type="fake", hypervisor_version="8.2.1").json
    shown = admin_api.get(f"{PATH}/{xen_821['id']}", user="admin")
    assert shown.status_int == 200 and shown.json == {"hypervisor_capability": xen_821}

    def ids(query=""):
        resp = admin_api.get(PATH + query, user="admin")
        assert resp.status_int == 200, resp.text
        return [item["id"] for item in resp.json["hypervisor_capabilities"]]

    other_id = other["hypervisor_capability"]["id"]
    fake_id = fake["hypervisor_capability"]["id"]
    assert ids() == [xen_821["id"], other_id, fake_id]
    assert ids("?hypervisor_type=xen") == [xen_821["id"], other_id]
    assert ids("?hypervisor_version=8.2.1") == [xen_821["id"], fake_id]
    assert ids("?hypervisor_type=fake&hypervisor_version=8.3.0") == []


def test_update_changes_only_the_given_fields(admin_api, xen_821):
    resp = _patch(admin_api, xen_821["id"], {"max_guests_limit": 0, "hypervisor_version": "8.4"})
    assert resp.status_int == 200, resp.text
    updated = resp.json["hypervisor_capability"]
    assert (updated["max_guests_limit"], updated["hypervisor_version"],
            updated["security_group_enabled"]) == (0, "8.4", True)
    assert updated["updated_at"] is not None
    assert capability_db.capability_get(xen_821["id"]).max_guests_limit == 0


def test_update_may_keep_its_own_type_and_version(admin_api, xen_821):
    resp = _patch(admin_api, xen_821["id"], {"hypervisor_type": "xen",
                                            "hypervisor_version": "8.2.1"})
    assert resp.status_int == 200, resp.text


def test_delete(admin_api, xen_821):
    resp = admin_api.delete(f"{PATH}/{xen_821['id']}", user="admin")
    assert resp.status_int == 204 and resp.body == b""
    assert count_rows(models.HypervisorCapability) == 0
    assert admin_api.get(f"{PATH}/{xen_821['id']}", user="admin").status_int == 404


# --- lookup --------------------------------------------------------------------------------


def _lookup(admin_api, query, user="admin"):
    return admin_api.get(f"{PATH}/lookup?{query}", user=user)


def test_lookup_exact_then_first_of_the_type_then_default(admin_api, xen_821):
    newer = _create(admin_api, hypervisor_type="xen", hypervisor_version="8.3.0",
                    max_guests_limit=75).json["hypervisor_capability"]

    exact = _lookup(admin_api, "hypervisor_type=xen&hypervisor_version=8.3.0")
    assert exact.status_int == 200, exact.text
    assert exact.json == {"source": "exact", "hypervisor_capability": newer}

    by_type = _lookup(admin_api, "hypervisor_type=xen&hypervisor_version=9.0").json
    assert by_type == {"source": "type", "hypervisor_capability": xen_821}
    assert _lookup(admin_api, "hypervisor_type=xen").json["source"] == "type"

    default = _lookup(admin_api, "hypervisor_type=fake&hypervisor_version=8.3.0").json
    assert default == {"source": "default", "hypervisor_capability": {
        "id": None, "hypervisor_type": "fake", "hypervisor_version": None,
        **capabilities.DEFAULT, "created_at": None, "updated_at": None}}


def test_lookup_follows_changes_and_deletes(admin_api, xen_821):
    first = "hypervisor_type=xen&hypervisor_version=8.2.1"
    _patch(admin_api, xen_821["id"], {"hypervisor_version": "8.0"})
    assert _lookup(admin_api, first).json["source"] == "type"
    admin_api.delete(f"{PATH}/{xen_821['id']}", user="admin")
    assert _lookup(admin_api, first).json["source"] == "default"


@pytest.mark.parametrize("query, field", [
    ("", "'hypervisor_type' is a required property"),
    ("hypervisor_version=8.2.1", "'hypervisor_type' is a required property"),
    ("hypervisor_type=kvm", "field/attribute hypervisor_type"),
    ("hypervisor_type=xen&hypervisor_version=", "field/attribute hypervisor_version"),
    ("hypervisor_type=xen&hypervisor_type=fake", "field/attribute hypervisor_type"),
    ("hypervisor_type=xen&host=h1", "('host' was unexpected)"),
])
def test_lookup_bad_queries(admin_api, query, field):
    assert field in error_message(_lookup(admin_api, query), 400)


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user", NOT_ADMINS)
@pytest.mark.parametrize("method, suffix, body", [
    ("GET", "", None),
    ("POST", "", {"hypervisor_capability": {"hypervisor_type": "xen",
                                            "hypervisor_version": "9"}}),
    ("POST", "", {"bad": "body"}),
    ("GET", "/lookup?hypervisor_type=xen", None),
    ("GET", "/{id}", None),
    ("PATCH", "/{id}", {"hypervisor_capability": {"max_guests_limit": 1}}),
    ("DELETE", "/{id}", None),
    ("GET", f"/{MISSING}", None),
])
def test_only_admins_may(admin_api, xen_821, user, method, suffix, body):
    path = PATH + suffix.replace("{id}", xen_821["id"])
    resp = admin_api.request(method, path, body=body, user=user)
    assert resp.status_int == 403
    assert resp.json == {"forbidden": {"code": 403, "message": "Permission denied"}}
    assert [row.uuid for row in capability_db.capability_list()] == [xen_821["id"]]
    assert capability_db.capability_get(xen_821["id"]).max_guests_limit == 50


# --- conflicts, missing rows, bad input ------------------------------------------------------


def test_duplicate_type_and_version_is_a_409(admin_api, xen_821):
    resp = _create(admin_api, hypervisor_type="xen", hypervisor_version="8.2.1")
    assert error_message(resp, 409) == "Hypervisor capability xen 8.2.1 already exists."
    assert count_rows(models.HypervisorCapability) == 1


def test_same_version_of_another_type_is_no_duplicate(admin_api, xen_821):
    resp = _create(admin_api, hypervisor_type="fake", hypervisor_version="8.2.1")
    assert resp.status_int == 201


@pytest.mark.parametrize("fields", [
    {"hypervisor_version": "8.2.1"},
    {"hypervisor_type": "xen", "hypervisor_version": "8.2.1", "max_guests_limit": 1},
])
def test_update_onto_another_rows_type_and_version_is_a_409(admin_api, xen_821, fields):
    other = _create(admin_api, hypervisor_type="xen", hypervisor_version="8.3.0")
    other_id = other.json["hypervisor_capability"]["id"]
    resp = _patch(admin_api, other_id, fields)
    assert "already exists" in error_message(resp, 409)
    unchanged = capability_db.capability_get(other_id)
    assert (unchanged.hypervisor_version, unchanged.max_guests_limit) == ("8.3.0", 500)


@pytest.mark.parametrize("method, body", [
    ("GET", None), ("DELETE", None),
    ("PATCH", {"hypervisor_capability": {"max_guests_limit": 1}}),
])
@pytest.mark.parametrize("capability_id", [MISSING, "not-a-uuid"])
def test_unknown_id_is_a_404(admin_api, method, body, capability_id):
    resp = admin_api.request(method, f"{PATH}/{capability_id}", body=body, user="admin")
    assert error_message(resp, 404) == f"Hypervisor capability {capability_id} could not be found."


def test_a_bad_body_is_checked_before_the_id(admin_api):
    resp = _patch(admin_api, MISSING, {"max_guests_limit": -1})
    assert "field/attribute max_guests_limit" in error_message(resp, 400)


def test_unsupported_method_is_a_405(admin_api, xen_821):
    assert admin_api.put(f"{PATH}/{xen_821['id']}", {}, user="admin").status_int == 405
    assert admin_api.delete(PATH, user="admin").status_int == 405


VALID = {"hypervisor_type": "xen", "hypervisor_version": "8.2.1"}


@pytest.mark.parametrize("body, words", [
    (None, "a JSON object is required"),
    (b"[]", "must be a JSON object"),
    (b"{", "Malformed request body"),
    ({}, "'hypervisor_capability' is a required property"),
    ({"hypervisor_capability": VALID, "extra": 1}, "('extra' was unexpected)"),
    ({"hypervisor_capability": "xen"}, "field/attribute hypervisor_capability"),
    ({"hypervisor_capability": {"hypervisor_version": "8"}},
     "'hypervisor_type' is a required property"),
    ({"hypervisor_capability": {"hypervisor_type": "xen"}},
     "'hypervisor_version' is a required property"),
    ({"hypervisor_capability": dict(VALID, hypervisor_type="kvm")},
     "field/attribute hypervisor_type"),
    ({"hypervisor_capability": dict(VALID, hypervisor_type=None)},
     "field/attribute hypervisor_type"),
    ({"hypervisor_capability": dict(VALID, hypervisor_version="")},
     "field/attribute hypervisor_version"),
    ({"hypervisor_capability": dict(VALID, hypervisor_version=" 8.2")},
     "field/attribute hypervisor_version"),
    ({"hypervisor_capability": dict(VALID, hypervisor_version="8" * 65)},
     "field/attribute hypervisor_version"),
    ({"hypervisor_capability": dict(VALID, hypervisor_version="8\n2")},
     "field/attribute hypervisor_version"),
    ({"hypervisor_capability": dict(VALID, hypervisor_version=8.2)},
     "field/attribute hypervisor_version"),
    ({"hypervisor_capability": dict(VALID, max_guests_limit=-1)},
     "field/attribute max_guests_limit"),
    ({"hypervisor_capability": dict(VALID, max_guests_limit=1.5)},
     "field/attribute max_guests_limit"),
    ({"hypervisor_capability": dict(VALID, max_guests_limit="10")},
     "field/attribute max_guests_limit"),
    ({"hypervisor_capability": dict(VALID, max_guests_limit=True)},
     "field/attribute max_guests_limit"),
    ({"hypervisor_capability": dict(VALID, max_guests_limit=2**31)},
     "field/attribute max_guests_limit"),
    ({"hypervisor_capability": dict(VALID, max_guests_limit=None)},
     "field/attribute max_guests_limit"),
    ({"hypervisor_capability": dict(VALID, security_group_enabled="yes")},
     "field/attribute security_group_enabled"),
    ({"hypervisor_capability": dict(VALID, max_data_volumes_limit=-3)},
     "field/attribute max_data_volumes_limit"),
    ({"hypervisor_capability": dict(VALID, storage_motion_supported=1)},
     "field/attribute storage_motion_supported"),
    ({"hypervisor_capability": dict(VALID, id=MISSING)}, "('id' was unexpected)"),
])
def test_bad_create_bodies_are_400s_naming_the_field(admin_api, body, words):
    raw = body if isinstance(body, bytes) else None
    resp = admin_api.request("POST", PATH, body=None if raw else body, raw=raw, user="admin")
    assert words in error_message(resp, 400)
    assert count_rows(models.HypervisorCapability) == 0


@pytest.mark.parametrize("body, words", [
    ({"hypervisor_capability": {}}, "field/attribute hypervisor_capability"),
    ({}, "'hypervisor_capability' is a required property"),
    ({"hypervisor_capability": {"hypervisor_type": "hyperv"}}, "field/attribute hypervisor_type"),
    ({"hypervisor_capability": {"max_guests_limit": -1}}, "field/attribute max_guests_limit"),
    ({"hypervisor_capability": {"security_group_enabled": None}},
     "field/attribute security_group_enabled"),
    ({"hypervisor_capability": {"uuid": "x"}}, "('uuid' was unexpected)"),
])
def test_bad_update_bodies_are_400s_naming_the_field(admin_api, xen_821, body, words):
    resp = admin_api.request("PATCH", f"{PATH}/{xen_821['id']}", body=body, user="admin")
    assert words in error_message(resp, 400)
    row = capability_db.capability_get(xen_821["id"])
    assert (row.hypervisor_type, row.max_guests_limit, row.security_group_enabled) == \
        ("xen", 50, True)


@pytest.mark.parametrize("query, words", [
    ("?hypervisor_type=kvm", "field/attribute hypervisor_type"),
    ("?hypervisor_version=", "field/attribute hypervisor_version"),
    ("?hypervisor_type=xen&hypervisor_type=fake", "field/attribute hypervisor_type"),
    ("?limit=1", "('limit' was unexpected)"),
])
def test_bad_list_queries_are_400s_naming_the_parameter(admin_api, query, words):
    assert words in error_message(admin_api.get(PATH + query, user="admin"), 400)
