"""`godwit server ...`: list, show, create, delete, resize and migrate servers."""

import collections
from datetime import datetime

import click
from openstack import exceptions as sdk_exc

from godwit.cli import admin, migration_views, output, server_views, waiting
from godwit.cli.errors import CliError

# A move and how --wait follows it: the statuses it shows while it runs, the ones it ends
# in when it succeeds. ERROR, or any other status, is a failure.
Move = collections.namedtuple("Move", "name busy goals")
RESIZE = Move("Resize", ("RESIZE",), ("VERIFY_RESIZE",))
MIGRATION = Move("Migration", ("RESIZE",), ("VERIFY_RESIZE",))
REVERT = Move("Revert", ("REVERT_RESIZE",), ("ACTIVE", "SHUTOFF"))


@click.group()
def server():
    """Manage servers."""


@server.command("list")
@click.option("--all-projects", is_flag=True, help="Servers of every project (admin only).")
@click.pass_obj
def list_servers(obj, all_projects):
    """List servers."""
    query = {"all_projects": True} if all_projects else {}
    servers = list(obj.conn.compute.servers(details=True, **query))
    image_names = _image_names(obj.conn) if servers else {}
    show_host = any(s.compute_host for s in servers)
    rows = [server_views.list_row(s, image_names, show_host) for s in servers]
    output.print_list(obj.fmt, server_views.list_columns(show_host), rows)


@server.command("show")
@click.argument("server_ref", metavar="ID_OR_NAME")
@click.pass_obj
def show_server(obj, server_ref):
    """Show one server."""
    found = obj.conn.compute.find_server(server_ref, ignore_missing=False)
    _print_server(obj, found)


def _parse_properties(ctx, param, pairs):
    """Click callback: ("k=v", ...) -> {"k": "v"}."""
    properties = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--property")
        properties[key] = value
    return properties


@server.command("create")
@click.argument("name")
@click.option("--flavor", required=True, help="Flavor name or ID.")
@click.option("--image", required=True, help="Image name or ID.")
@click.option(
    "--nic",
    type=click.Choice(["auto", "none"]),
    default="auto",
    show_default=True,
    help="auto: a network is chosen (or made) for the server; none: no network.",
)
@click.option(
    "--property",
    "properties",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_parse_properties,
    help="Metadata for the server; repeat for more.",
)
@click.option(
    "--host",
    help="Build on this host and no other (admin only; compute API 2.74). If it cannot "
    "take the server, nothing is created and the error says why.",
)
@click.option("--wait", is_flag=True, help="Wait until the server is ACTIVE or ERROR.")
@click.pass_obj
def create_server(obj, name, flavor, image, nic, properties, host, wait):
    """Create a server."""
    conn = obj.conn
    created = conn.compute.create_server(
        name=name,
        flavor_id=conn.compute.find_flavor(flavor, ignore_missing=False).id,
        image_id=conn.image.find_image(image, ignore_missing=False).id,
        networks=nic,
        metadata=properties,
        **({"host": host} if host else {}),
    )
    if not wait:
        _print_server(obj, conn.compute.get_server(created.id))
        return
    settled = waiting.wait_until_settled(conn, created)
    if settled.status == "ERROR":
        raise CliError(_went_to_error(settled))
    _print_server(obj, settled)


@server.command("delete")
@click.argument("server_refs", metavar="ID_OR_NAME...", nargs=-1, required=True)
@click.option("--wait", is_flag=True, help="Wait until the servers are gone.")
@click.pass_obj
def delete_servers(obj, server_refs, wait):
    """Delete servers; every name is resolved before any server is deleted."""
    conn = obj.conn
    doomed = [conn.compute.find_server(ref, ignore_missing=False) for ref in server_refs]
    for found in doomed:
        conn.compute.delete_server(found)
    failed = waiting.wait_until_gone(conn, doomed) if wait else []
    if failed:
        raise CliError("; ".join(_went_to_error(found) for found in failed))


@server.command("resize")
@click.argument("server_ref", metavar="ID_OR_NAME")
@click.option("--flavor", required=True, help="Flavor name or ID to resize to.")
@click.option(
    "--wait", is_flag=True, help="Wait until the server is VERIFY_RESIZE (or the resize failed)."
)
@click.pass_obj
def resize_server(obj, server_ref, flavor, wait):
    """Resize a server to another flavor.

    The server shows RESIZE while its disk is copied, then VERIFY_RESIZE until you run
    resize-confirm or resize-revert.
    """
    conn = obj.conn
    found = conn.compute.find_server(server_ref, ignore_missing=False)
    new_flavor = conn.compute.find_flavor(flavor, ignore_missing=False)
    conn.compute.resize_server(found, new_flavor)
    _follow_move(obj, found, RESIZE, wait)


@server.command("migrate")
@click.argument("server_ref", metavar="ID_OR_NAME")
@click.option("--host", help="Destination host (default: the scheduler picks one).")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait until the server is VERIFY_RESIZE (or the migration failed).",
)
@click.pass_obj
def migrate_server(obj, server_ref, host, wait):
    """Cold-migrate a server to another host, keeping its flavor (admin only).

    A name is looked up in the caller's project, then in every project. Like a resize, it
    ends in VERIFY_RESIZE.
    """
    conn = obj.conn
    found = find_in_any_project(conn, server_ref)
    try:
        conn.compute.migrate_server(found, host=host)
    except ValueError as exc:  # the SDK's own check: --host needs microversion 2.56
        raise CliError(str(exc)) from exc
    _follow_move(obj, found, MIGRATION, wait)


@server.command("resize-confirm")
@click.argument("server_ref", metavar="ID_OR_NAME")
@click.pass_obj
def confirm_resize(obj, server_ref):
    """Confirm a resize or migration in VERIFY_RESIZE; the original VM is deleted."""
    conn = obj.conn
    conn.compute.confirm_server_resize(conn.compute.find_server(server_ref, ignore_missing=False))


@server.command("resize-revert")
@click.argument("server_ref", metavar="ID_OR_NAME")
@click.option("--wait", is_flag=True, help="Wait until the server runs on its source host again.")
@click.pass_obj
def revert_resize(obj, server_ref, wait):
    """Revert a resize or migration in VERIFY_RESIZE: back to the original VM and flavor."""
    conn = obj.conn
    found = conn.compute.find_server(server_ref, ignore_missing=False)
    conn.compute.revert_server_resize(found)
    _follow_move(obj, found, REVERT, wait)


def find_in_any_project(conn, server_ref):
    """For admin commands: the caller's project first, then every project (admins only)."""
    found = conn.compute.find_server(server_ref, ignore_missing=True)
    if found is None:
        try:
            found = conn.compute.find_server(server_ref, ignore_missing=True, all_projects=True)
        except sdk_exc.ForbiddenException:  # not an admin: other projects stay hidden
            pass
    if found is None:
        raise sdk_exc.ResourceNotFound(f"No Server found for {server_ref}")
    return found


def _follow_move(obj, found, move, wait):
    """Prints the server; with --wait once the move is over, or fails saying why."""
    conn = obj.conn
    if not wait:
        _print_server(obj, conn.compute.get_server(found.id))
        return
    settled = waiting.wait_until_settled(conn, found, move.busy, move.goals)
    if settled.status == "ERROR":
        raise CliError(_went_to_error(settled))
    if settled.status not in move.goals:
        raise CliError(_move_failed(conn, settled, move, since=found.updated_at))
    _print_server(obj, settled)


def _move_failed(conn, settled, move, since):
    """Why a move ended with the server back where it was (usually ACTIVE on its source).

    The migration's error is in the admin API; without access only the status is told.
    """
    what = f"{move.name} of server {settled.name} ({settled.id})"
    failed = _failed_migration(conn, settled.id, since)
    if failed is None:
        return (
            f"{what} did not complete: the server is {settled.status}. An administrator "
            f"can see why with: godwit migration list --server {settled.id}"
        )
    return f"{what} failed: {migration_views.failure(failed)}. The server is {settled.status}."


def _failed_migration(conn, server_id, since):
    """The server's newest migration if it failed and began after ``since``, else None
    (also when the caller may not read migrations)."""
    try:
        newest = next(iter(admin.server_migrations(conn, server_id)), None)
    except sdk_exc.HttpException:
        return None
    if newest is None or newest["status"] not in migration_views.FAILED:
        return None
    if since and datetime.fromisoformat(newest["created_at"]) <= datetime.fromisoformat(since):
        return None
    return newest


def _print_server(obj, found):
    image = server_views.image_id(found)
    image_name = _image_name(obj.conn, image) if image else None
    output.print_record(obj.fmt, server_views.server_record(found, image_name))


def _image_name(conn, image):
    """None when the image is gone; the record then shows the bare ID."""
    found = conn.image.find_image(image, ignore_missing=True)
    return found.name if found else None


def _image_names(conn):
    return {image.id: image.name for image in conn.image.images()}


def _went_to_error(found):
    return f"Server {found.name} ({found.id}) went to ERROR: {server_views.fault_message(found)}"
