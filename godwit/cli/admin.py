"""Requests to godwit's admin API (``/admin/v1``) over the SDK's authenticated session.

The service catalog lists compute, image and identity, not the admin API. godwit-api serves
``/admin/v1`` beside ``/v2.1``, so the admin API's root is the compute endpoint with its
``/v2.1`` suffix (and anything after it) replaced by ``/admin/v1``. Failures are raised as
openstacksdk's HttpException, with the API's fault message as ``details``, like the SDK's own.
"""

from openstack import exceptions as sdk_exc

from godwit.cli.errors import CliError

COMPUTE_VERSION = "/v2.1"
ADMIN_ROOT = "/admin/v1"
# The most migrations the admin API returns per page.
MAX_PAGE = 1000


def admin_url(conn, path):
    """``http://cloud:8774/v2.1`` -> ``http://cloud:8774/admin/v1`` + ``path``."""
    endpoint = conn.compute.get_endpoint()
    root, found, _ = (endpoint or "").rpartition(COMPUTE_VERSION)
    if not found:
        raise CliError(
            f"Cannot locate the admin API: the compute endpoint {endpoint} "
            f"does not contain {COMPUTE_VERSION}."
        )
    return root + ADMIN_ROOT + path


def request(conn, method, path, **kwargs):
    """The response body as JSON (None when empty), or the API's fault raised."""
    response = conn.session.request(
        admin_url(conn, path),
        method,
        headers={"Accept": "application/json"},
        raise_exc=False,
        **kwargs,
    )
    sdk_exc.raise_from_response(response)
    return response.json() if response.content else None


def migrations(conn, query, limit=None):
    """Migrations matching ``query``, newest first: all of them, or the first ``limit``."""
    found, marker = [], None
    while limit is None or len(found) < limit:
        page_size = MAX_PAGE if limit is None else min(limit - len(found), MAX_PAGE)
        params = dict(query, limit=page_size, marker=marker)
        body = request(conn, "GET", "/migrations", params=params)
        found += body["migrations"]
        if not body.get("next") or not body["migrations"]:
            break
        marker = body["migrations"][-1]["id"]
    return found


def server_migrations(conn, server_id):
    """Every migration of one server, newest first."""
    return request(conn, "GET", f"/servers/{server_id}/migrations")["migrations"]


def migration(conn, migration_id):
    return request(conn, "GET", f"/migrations/{migration_id}")["migration"]


def cancel_migration(conn, migration_id):
    request(conn, "POST", f"/migrations/{migration_id}/cancel")
