"""The read-only Glance v2 subset under ``/image``."""
import pytest

from godwit.db import api as db
from tests.functional.api.conftest import IMAGE, OTHER_IMAGE, OTHER_PROJECT, PRIVATE_IMAGE


@pytest.mark.parametrize("path, status", [("", 300), ("/", 300), ("/versions", 200)])
def test_versions_need_no_caller(image_api, path, status):
    resp = image_api.get(path, user=None)
    assert resp.status_int == status
    assert resp.json == {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
        {"rel": "self", "href": "http://localhost/image/v2/"}]}]}


def test_list_shows_public_and_own_images(image_api):
    body = image_api.get("/v2/images").json
    assert sorted(image["name"] for image in body["images"]) == ["cirros", "mine"]
    assert (body["first"], body["schema"]) == ("/v2/images", "/v2/schemas/images")
    assert "next" not in body
    admin = image_api.get("/v2/images", user="admin").json["images"]
    assert sorted(image["name"] for image in admin) == ["cirros", "mine", "theirs"]


def test_image_shape(image_api):
    image = image_api.get(f"/v2/images/{IMAGE}").json
    assert image["id"] == IMAGE
    assert (image["name"], image["status"], image["visibility"], image["disk_format"],
            image["container_format"], image["size"]) == \
        ("cirros", "active", "public", "vhd", "ovf", 1024)
    assert image["os_distro"] == "cirros"
    assert image["self"] == f"/v2/images/{IMAGE}"
    assert image["schema"] == "/v2/schemas/image"
    assert image["tags"] == [] and image["protected"] is False
    assert image["created_at"].endswith("Z")


@pytest.mark.parametrize("image_id", [OTHER_IMAGE, "00000000-0000-4000-8000-000000000000",
                                      "cirros"])
def test_invisible_unknown_and_malformed_images_are_not_found(image_api, image_id):
    resp = image_api.get(f"/v2/images/{image_id}")
    assert resp.status_int == 404


def test_filters(image_api):
    def names(query, user="member"):
        resp = image_api.get(f"/v2/images?{query}", user=user)
        assert resp.status_int == 200, resp.text
        return sorted(image["name"] for image in resp.json["images"])

    assert names("name=cirros") == ["cirros"]
    assert names("visibility=private") == ["mine"]
    assert names("visibility=public") == ["cirros"]
    assert names("status=queued") == []
    assert names("owner=" + OTHER_PROJECT, user="admin") == ["theirs"]


def test_community_images_only_when_asked(image_api):
    db.image_create(dict(name="shared-by-all", visibility="community", owner=OTHER_PROJECT,
                         status="active", properties={}))
    assert "shared-by-all" not in [i["name"] for i in image_api.get("/v2/images").json["images"]]
    community = image_api.get("/v2/images?visibility=community").json["images"]
    assert [i["name"] for i in community] == ["shared-by-all"]


def test_paging_follows_next_links(image_api):
    seen, path = [], "/v2/images?limit=1&sort_key=name&sort_dir=asc"
    while path:
        body = image_api.get(path).json
        seen += [image["name"] for image in body["images"]]
        path = body.get("next")
    assert seen == ["cirros", "mine"]
    assert image_api.get(f"/v2/images?marker={PRIVATE_IMAGE}&sort=name:asc").json[
        "images"] == []


@pytest.mark.parametrize("query", ["limit=x", "limit=-1", "visibility=secret",
                                   "status=sleeping", "sort_key=color", "sort_dir=up",
                                   "sort=name:sideways", "marker=nope", "os_hidden=maybe",
                                   "name=%ff"])
def test_bad_queries_are_400(image_api, query):
    assert image_api.get(f"/v2/images?{query}", user="admin").status_int == 400
    resp = image_api.get(f"/v2/images?{query}")
    assert resp.status_int == 400, resp.text


def test_schemas(image_api):
    image = image_api.get("/v2/schemas/image").json
    assert image["name"] == "image" and "visibility" in image["properties"]
    assert image_api.get("/v2/schemas/images").json["name"] == "images"
