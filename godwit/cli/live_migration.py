"""`godwit server migration-hosts|live-migrate`: live migration inside a cluster (admin API).

See doc/live-migration.md. Both are for cloud administrators; a server is named by ID or
by name (the caller's project first, then every project).
"""

import click

from godwit.cli import admin, migration_views, output, servers, waiting
from godwit.cli.errors import CliError

HOST_COLUMNS = ["ID", "Name", "Suitable", "State", "vCPUs used", "RAM used (MiB)", "Guests"]
FINISHED = "finished"


def host_row(host, suitable):
    return {
        "ID": host["id"],
        "Name": host["name"],
        "Suitable": "yes" if suitable else "no",
        "State": f"{host['allocation_state']}, {host['maintenance_state']}",
        "vCPUs used": f"{host['vcpus_used']}/{host['vcpus']}",
        "RAM used (MiB)": f"{host['memory_mb_used']}/{host['memory_mb']}",
        "Guests": host["running_vms"],
    }


@click.command("migration-hosts")
@click.argument("server_ref", metavar="ID_OR_NAME")
@click.option("--start", type=click.IntRange(min=0), default=0, show_default=True,
              help="Hosts to skip.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Most hosts to list.")
@click.pass_obj
def migration_hosts(obj, server_ref, start, limit):
    """List the other hosts of a server's cluster, and which could take it now by live
    migration (up, enabled, with room for it, under their guest limit)."""
    found = servers.find_in_any_project(obj.conn, server_ref)
    body = admin.request(obj.conn, "GET", f"/servers/{found.id}/migration-hosts",
                         params={"start": start, "limit": limit})
    suitable = set(body["suitable_host_ids"])
    rows = [host_row(host, host["id"] in suitable) for host in body["hosts"]]
    output.print_list(obj.fmt, HOST_COLUMNS, rows)
    if obj.fmt == "table":
        click.echo(f"Hosts {start + 1}-{start + len(rows)} of {body['count']}.", err=True)


@click.command("live-migrate")
@click.argument("server_ref", metavar="ID_OR_NAME")
@click.argument("host", metavar="HOST")
@click.option("--wait", is_flag=True,
              help="Wait until the migration ends; exit 1 with the reason if it failed.")
@click.pass_obj
def live_migrate(obj, server_ref, host, wait):
    """Live-migrate a running server to HOST (ID or name) of its cluster; it keeps running.

    Needs XenServer hosts with the server's disks on shared storage. On failure the server
    goes on running on its source host.
    """
    conn = obj.conn
    found = servers.find_in_any_project(conn, server_ref)
    migration = admin.request(conn, "POST", f"/servers/{found.id}/migrate",
                              json={"host": host})["migration"]
    if wait:
        waiting.wait_until_settled(conn, found, busy=("MIGRATING",), goals=("ACTIVE",))
        migration = admin.migration(conn, migration["id"])
        if migration["status"] != FINISHED:
            raise CliError(f"Live migration of server {found.name} ({found.id}) to {host} "
                           f"failed: {migration_views.failure(migration)}")
    output.print_record(obj.fmt, migration_views.migration_record(migration))


COMMANDS = (migration_hosts, live_migrate)
