"""`godwit ha events` (the HA monitor's log) and `godwit host unfence HOST` (admin API,
doc/ha.md). HOST is a host's ID or name."""

import click

from godwit.cli import admin, output

EVENT_COLUMNS = ["Time", "Host", "Event", "Server", "Message"]


@click.group("ha")
def ha():
    """The HA monitor: what it saw and did."""


@ha.command("events")
@click.option("--host", metavar="HOST", help="Only this host's events.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Only the last LIMIT events.")
@click.pass_obj
def events(obj, host, limit):
    """Suspect hosts, cleared ones, fences and recoveries, oldest first."""
    body = admin.request(obj.conn, "GET", "/ha/events", params={"host": host, "limit": limit})
    output.print_list(obj.fmt, EVENT_COLUMNS, [
        {"Time": event["time"], "Host": event["host"], "Event": event["event"],
         "Server": event["instance"], "Message": event["message"]}
        for event in body["events"]])


@click.command("unfence")
@click.argument("host", metavar="HOST")
@click.pass_obj
def unfence(obj, host):
    """Declare fenced HOST healthy again: its maintenance state becomes ready. Check the
    host first: godwit never does this by itself."""
    body = admin.request(obj.conn, "POST", f"/hosts/{host}/unfence")
    output.print_record(obj.fmt, {"Host": body["host"],
                                  "Maintenance state": body["maintenance_state"]})
