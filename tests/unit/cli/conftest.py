"""Fakes and helpers shared by the CLI tests.

The connection factory is replaced by FakeConnection, which hands out real openstacksdk
resource objects built from Nova-shaped bodies, so attribute mapping is exercised too. Its
``session`` plays the keystoneauth session the admin API is reached through: it answers the
admin API's migration routes with real ``requests.Response`` objects.
"""

import http
import json

import pytest
import requests
from click.testing import CliRunner
from openstack import exceptions as sdk_exc
from openstack.compute.v2.flavor import Flavor
from openstack.compute.v2.server import Server
from openstack.image.v2.image import Image

from godwit.cli import connection, waiting
from godwit.cli.main import cli

IMAGE_ID = "img-cirros"
EMBEDDED_FLAVOR = {"original_name": "m1.small", "vcpus": 1, "ram": 512, "disk": 1}
COMPUTE_ENDPOINT = "http://cloud:8774/v2.1"
ADMIN_ROOT = "http://cloud:8774/admin/v1"


def make_server(server_id, name, status="ACTIVE", **body):
    """A server as Nova >= 2.47 returns it (embedded flavor), overridable per test."""
    fields = {
        "id": server_id,
        "name": name,
        "status": status,
        "flavor": EMBEDDED_FLAVOR,
        "image": {"id": IMAGE_ID, "links": []},
        "metadata": {},
        "addresses": {},
    }
    fields.update(body)
    return Server.existing(**fields)


def find(items, name_or_id, kind, ignore_missing):
    """Mimics the SDK's find_*: by id, then by name; raises like the SDK when told to."""
    for item in items:
        if name_or_id in (item.id, item.name):
            return item
    if ignore_missing:
        return None
    raise sdk_exc.ResourceNotFound(f"No {kind} found for {name_or_id}")


class FakeCompute:
    def __init__(self):
        self.flavors = [
            Flavor.existing(id="flv-1", name="m1.small"),
            Flavor.existing(id="flv-2", name="m1.medium"),
        ]
        self.listing = [
            make_server("srv-1", "web1"),
            make_server("srv-2", "db1", status="SHUTOFF"),
        ]
        # Servers of other projects: found by id, by name only with all_projects.
        self.other_projects = []
        # What a search with all_projects raises (a 403 for a non-admin).
        self.all_projects_error = None
        self.endpoint = COMPUTE_ENDPOINT
        # Successive get_server() answers per server id; the last one repeats, None is 404.
        self.timeline = {}
        self.list_queries = []
        self.created = []
        self.deleted = []
        # Server actions sent, as (action, server id, argument).
        self.actions = []
        self.list_error = None
        self.action_error = None

    def servers(self, details=True, **query):
        self.list_queries.append(query)
        if self.list_error:
            raise self.list_error
        return iter(self.listing)

    def find_server(self, name_or_id, ignore_missing=True, all_projects=False):
        if all_projects and self.all_projects_error:
            raise self.all_projects_error
        others = self.other_projects if all_projects else []
        by_id = [server for server in self.other_projects if server.id == name_or_id]
        return find(self.listing + others + by_id, name_or_id, "Server", ignore_missing)

    def find_flavor(self, name_or_id, ignore_missing=True):
        return find(self.flavors, name_or_id, "Flavor", ignore_missing)

    def get_server(self, server_id):
        states = self.timeline.get(server_id) or [self.find_server(server_id)]
        state = states.pop(0) if len(states) > 1 else states[0]
        if state is None:
            raise sdk_exc.ResourceNotFound(f"Server {server_id} could not be found.")
        return state

    def create_server(self, **attrs):
        self.created.append(attrs)
        return Server.existing(id="srv-new", name=attrs["name"])

    def delete_server(self, server):
        self.deleted.append(server.id)

    def get_endpoint(self):
        return self.endpoint

    def resize_server(self, server, flavor):
        self._act("resize", server, flavor.id)

    def migrate_server(self, server, host=None):
        self._act("migrate", server, host)

    def confirm_server_resize(self, server):
        self._act("confirmResize", server, None)

    def revert_server_resize(self, server):
        self._act("revertResize", server, None)

    def _act(self, action, server, argument):
        if self.action_error:
            raise self.action_error
        self.actions.append((action, server.id, argument))


class FakeImages:
    def __init__(self):
        self.listing = [Image.existing(id=IMAGE_ID, name="cirros")]

    def images(self):
        return iter(self.listing)

    def find_image(self, name_or_id, ignore_missing=True):
        return find(self.listing, name_or_id, "Image", ignore_missing)


def make_migration(migration_id, server_id="srv-1", status="migrating", **body):
    """A migration as the admin API returns it, overridable per test."""
    fields = {
        "id": migration_id,
        "server_id": server_id,
        "type": "resize",
        "status": status,
        "outcome": None,
        "source_host": "compute-1",
        "dest_host": "compute-2",
        "next_step_host": "compute-1",
        "old_flavor": {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1},
        "new_flavor": {"id": "2", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
        "bytes_total": 1000,
        "bytes_transferred": 250,
        "progress": 25,
        "error": None,
        "created_at": "2024-05-01T12:00:00Z",
        "updated_at": "2024-05-01T12:00:30Z",
    }
    fields.update(body)
    return fields


def json_response(status, body=None):
    response = requests.Response()
    response.status_code = status
    response.reason = http.HTTPStatus(status).phrase
    response._content = b"" if body is None else json.dumps(body).encode()
    if body is not None:
        response.headers["Content-Type"] = "application/json"
    return response


def fault(status, message):
    """A Nova-style fault body, as every godwit API answers errors."""
    key = {400: "badRequest", 403: "forbidden", 404: "itemNotFound", 409: "conflictingRequest"}
    return json_response(status, {key[status]: {"code": status, "message": message}})


class FakeSession:
    """The keystoneauth session: answers the admin API's migration routes.

    ``migrations`` is newest first, as the API orders them; the list is paged by ``limit``
    and ``marker`` like the API's, and filters are only recorded (the API applies them).
    """

    def __init__(self):
        self.admin_root = ADMIN_ROOT
        self.migrations = [make_migration("mig-1")]
        # (method, path under the admin root, query parameters, json body)
        self.requests = []
        # A response every request gets instead (a 403 for a non-admin, say).
        self.answer = None

    def request(self, url, method, headers=None, raise_exc=True, params=None, json=None):
        assert url.startswith(self.admin_root + "/"), url
        assert raise_exc is False
        path = url.removeprefix(self.admin_root)
        params = {key: value for key, value in (params or {}).items() if value is not None}
        self.requests.append((method, path, params, json))
        if self.answer is not None:  # not `or`: a 4xx Response is falsy
            return self.answer
        return self._route(method, path.strip("/").split("/"), params)

    def _route(self, method, parts, params):
        if (method, parts) == ("GET", ["migrations"]):
            return self._page(params["limit"], params.get("marker"))
        if parts[0] == "servers" and (method, parts[2:]) == ("GET", ["migrations"]):
            mine = [item for item in self.migrations if item["server_id"] == parts[1]]
            return json_response(200, {"migrations": mine})
        found = next((item for item in self.migrations if item["id"] == parts[1]), None)
        if found is None:
            return fault(404, f"Migration {parts[1]} could not be found.")
        if (method, parts[2:]) == ("GET", []):
            return json_response(200, {"migration": found})
        if (method, parts[2:]) == ("POST", ["cancel"]):
            if found["status"] in ("pre-migrating", "migrating", "migrating_step2"):
                return json_response(202)
            return fault(
                409, f"Migration {found['id']} cannot be cancelled in status {found['status']}"
            )
        raise AssertionError(f"unexpected admin API request {method} {parts}")

    def _page(self, limit, marker):
        ids = [item["id"] for item in self.migrations]
        start = ids.index(marker) + 1 if marker else 0
        page = self.migrations[start : start + limit]
        more = start + limit < len(self.migrations)
        return json_response(200, {"migrations": page, "next": "next-page" if more else None})


class FakeConnection:
    def __init__(self):
        self.compute = FakeCompute()
        self.image = FakeImages()
        self.session = FakeSession()


@pytest.fixture
def conn(monkeypatch):
    fake = FakeConnection()
    fake.clouds = []
    fake.sleeps = []

    def make_connection(cloud):
        fake.clouds.append(cloud)
        return fake

    def sleep(seconds):
        fake.sleeps.append(seconds)
        if len(fake.sleeps) > 10:
            raise AssertionError("still polling after 10 rounds")

    monkeypatch.setattr(connection, "make_connection", make_connection)
    monkeypatch.setattr(waiting, "sleep", sleep)
    return fake


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def table_row(stdout, first_cell):
    """The cells of the table row whose first cell is first_cell."""
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.replace("┃", "│").strip("│ ").split("│")]
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{stdout}")


def assert_error_line(result, message):
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"Error: {message}"
    assert "Traceback" not in result.output
