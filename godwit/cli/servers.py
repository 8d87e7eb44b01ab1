"""`godwit server ...`: list, show, create and delete servers."""

import click

from godwit.cli import output, server_views, waiting
from godwit.cli.errors import CliError


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
@click.option("--wait", is_flag=True, help="Wait until the server is ACTIVE or ERROR.")
@click.pass_obj
def create_server(obj, name, flavor, image, nic, properties, wait):
    """Create a server."""
    conn = obj.conn
    created = conn.compute.create_server(
        name=name,
        flavor_id=conn.compute.find_flavor(flavor, ignore_missing=False).id,
        image_id=conn.image.find_image(image, ignore_missing=False).id,
        networks=nic,
        metadata=properties,
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
