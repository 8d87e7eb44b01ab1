"""`godwit migration ...`: list, show and cancel resizes and cold migrations (admin API)."""

import click

from godwit.cli import admin, migration_views, output, servers


@click.group()
def migration():
    """Follow and cancel resizes and cold migrations (admin only)."""


@migration.command("list")
@click.option("--server", "server_ref", metavar="ID_OR_NAME", help="Only this server's.")
@click.option("--host", help="Only those with this source or destination host.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(migration_views.STATUSES),
    help="Only those in this status; repeat for several.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="At most N migrations (default: all).",
)
@click.pass_obj
def list_migrations(obj, server_ref, host, statuses, limit):
    """List migrations, newest first."""
    query = {"host": host, "status": list(statuses) or None}
    if server_ref:
        query["server"] = servers.find_in_any_project(obj.conn, server_ref).id
    found = admin.migrations(obj.conn, query, limit)
    rows = [migration_views.list_row(item) for item in found]
    output.print_list(obj.fmt, migration_views.LIST_COLUMNS, rows)


@migration.command("show")
@click.argument("migration_id", metavar="ID")
@click.pass_obj
def show_migration(obj, migration_id):
    """Show one migration (by its uuid or integer id)."""
    found = admin.migration(obj.conn, migration_id)
    output.print_record(obj.fmt, migration_views.migration_record(found))


@migration.command("cancel")
@click.argument("migration_id", metavar="ID")
@click.pass_obj
def cancel_migration(obj, migration_id):
    """Cancel a migration that has not reached post-migrating yet.

    The server goes on running on its source host; the migration ends `cancelled`.
    """
    admin.cancel_migration(obj.conn, migration_id)
