"""What microversions 2.61 to 2.74 change in godwit's Compute API (see the docstring of
godwit.api.openstack.microversion), each checked on both sides of its version."""
import datetime

import pytest

from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer
from tests.functional.api.conftest import add_instance, count_rows, server_body

BOOT_FROM_IMAGE = {"source_type": "image", "destination_type": "local", "boot_index": 0}


def _message(resp):
    return next(iter(resp.json.values()))["message"]


@pytest.mark.parametrize("path", ["/flavors/1", "/flavors/detail"])
def test_2_61_flavor_views_carry_extra_specs(api, path):
    def flavor(version):
        body = api.get(path, version=version).json
        return body["flavor"] if "flavor" in body else body["flavors"][0]
    assert "extra_specs" not in flavor("2.60")
    assert flavor("2.61")["extra_specs"] == {"hw:cpu_policy": "shared"}


def test_2_61_created_flavor_shows_its_extra_specs(api):
    resp = api.post("/flavors", {"flavor": {"name": "new", "ram": 256, "vcpus": 1,
                                            "disk": 1}}, user="admin", version="2.61")
    assert resp.status_code == 200
    assert resp.json["flavor"]["extra_specs"] == {}


def test_2_63_trusted_image_certificates(api):
    certificates = {"trusted_image_certificates": ["0b5d2c72-12cc-4ba6-a8d7-3ff5cc1d8cb8"]}
    resp = api.post("/servers", server_body(**certificates), version="2.63")
    assert resp.status_code == 400
    assert "trusted_image_certificates" in _message(resp)
    assert "cannot verify" in _message(resp)
    assert count_rows(models.Instance) == 0
    assert api.post("/servers", server_body(**certificates),
                    version="2.62").status_code == 400
    resp = api.post("/servers", server_body(trusted_image_certificates=None), version="2.63")
    assert resp.status_code == 202
    server_id = resp.json["server"]["id"]
    assert api.get(f"/servers/{server_id}", version="2.63").json["server"][
        "trusted_image_certificates"] is None
    assert "trusted_image_certificates" not in api.get(f"/servers/{server_id}",
                                                       version="2.62").json["server"]


def test_2_66_changes_before_filters_servers(api):
    add_instance(name="old", created_at=datetime.datetime(2020, 1, 1))
    add_instance(name="new", created_at=datetime.datetime(2030, 1, 1))

    def names(query, version="2.66"):
        resp = api.get(f"/servers/detail?{query}", version=version)
        assert resp.status_code == 200, resp.text
        return sorted(server["name"] for server in resp.json["servers"])

    assert names("changes-before=2025-01-01T00:00:00Z") == ["old"]
    assert names("changes-since=2019-01-01T00:00:00Z&changes-before=2020-01-01T00:00:00Z") \
        == ["old"]
    assert names("changes-before=2025-01-01T00:00:00Z", version="2.65") == ["new", "old"]
    resp = api.get("/servers?changes-since=2025-01-01T00:00:00Z"
                   "&changes-before=2020-01-01T00:00:00Z", version="2.66")
    assert resp.status_code == 400
    assert "changes-before" in _message(resp)
    resp = api.get("/servers?changes-before=soon", version="2.66")
    assert resp.status_code == 400
    assert "changes-before" in _message(resp)


def test_2_66_changes_before_filters_os_migrations(api):
    server = add_instance()
    with writer() as session:
        for when in (datetime.datetime(2020, 1, 1), datetime.datetime(2030, 1, 1)):
            db.migration_create(session, dict(
                instance_uuid=server.uuid, migration_type="migration", status="finished",
                source_host="host1", dest_host="host2", created_at=when, updated_at=when))
    resp = api.get("/os-migrations?changes-before=2025-01-01T00:00:00Z", user="admin",
                   version="2.66")
    assert resp.status_code == 200, resp.text
    assert [m["updated_at"][:4] for m in resp.json["migrations"]] == ["2020"]
    assert len(api.get("/os-migrations", user="admin",
                       version="2.66").json["migrations"]) == 2
    resp = api.get("/os-migrations?changes-before=2025-01-01T00:00:00Z", user="admin",
                   version="2.65")
    assert resp.status_code == 400
    assert "changes-before" in _message(resp)


def test_2_67_volume_type_is_refused_as_volumes_are(api):
    mapping = [{**BOOT_FROM_IMAGE, "uuid": server_body()["server"]["imageRef"],
                "volume_type": "fast"}]
    for version in ("2.66", "2.67"):
        resp = api.post("/servers", server_body(block_device_mapping_v2=mapping),
                        version=version)
        assert resp.status_code == 400
        assert ("volume_type" if version == "2.66" else "block_device_mapping_v2") \
            in _message(resp)
    assert count_rows(models.Instance) == 0
    mapping[0]["volume_type"] = None
    assert api.post("/servers", server_body(block_device_mapping_v2=mapping),
                    version="2.67").status_code == 202


def test_2_71_server_groups_in_show_only(api):
    server = add_instance()
    assert api.get(f"/servers/{server.uuid}", version="2.71").json["server"][
        "server_groups"] == []
    assert "server_groups" not in api.get(f"/servers/{server.uuid}",
                                          version="2.70").json["server"]
    assert "server_groups" not in api.get("/servers/detail", version="2.71").json[
        "servers"][0]


def test_2_73_locked_reason_and_locked_filter(api):
    add_instance(name="free")
    locked = add_instance(name="held", locked=True)
    server = api.get(f"/servers/{locked.uuid}", version="2.73").json["server"]
    assert server["locked"] is True and server["locked_reason"] is None
    assert "locked_reason" not in api.get(f"/servers/{locked.uuid}",
                                          version="2.72").json["server"]

    def names(query, version="2.73"):
        return sorted(s["name"] for s in api.get(f"/servers?{query}",
                                                 version=version).json["servers"])

    assert names("locked=true") == ["held"]
    assert names("locked=false") == ["free"]
    assert names("locked=true", version="2.72") == ["free", "held"]
    resp = api.get("/servers?locked=maybe", version="2.73")
    assert resp.status_code == 400
    assert "locked" in _message(resp)


def test_the_version_document_says_2_74(root_api, api):
    assert root_api.get("/", user=None).json["versions"][0]["version"] == "2.74"
    assert api.get("/flavors", headers={"OpenStack-API-Version": "compute latest"}) \
        .headers["OpenStack-API-Version"] == "compute 2.74"
