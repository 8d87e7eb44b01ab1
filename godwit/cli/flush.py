"""`godwit host flush|unflush HOST`: evacuate a host and bring its instances back (admin
API, doc/ha.md). HOST is a host's ID or name."""

import click

from godwit.cli import admin, output, waiting
from godwit.cli.errors import CliError

# Why: why the instance stays, or why it goes cold although its method is auto.
PLAN_COLUMNS = ["Server", "Name", "Target", "Method", "Why"]
VERBOSE = click.option("--verbose", "-v", is_flag=True,
                       help="With --wait: print each move (server, target, method) as it "
                            "starts; the progress bar only counts them.")
# The host's state once each kind of request has ended.
_SETTLED = {"flush": "flushed", "unflush": "ready"}


def status_record(body):
    """A host's maintenance state and its last flush or unflush, as one record."""
    record = {"Host": body["host"], "Maintenance state": body["maintenance_state"]}
    flush = body["flush"]
    if flush:
        record.update({
            "Last request": f"{flush['kind']} #{flush['generation']}",
            "Progress": f"{flush['done']}/{flush['total']}",
            "Concurrency": flush["concurrency"],
            "Moving now": [_moving(entry) for entry in flush["current"]],
            "Failures": [_failure(entry) for entry in flush["failures"]],
        })
    return record


def _moving(entry):
    return f"{entry['instance']} -> {entry['target']} ({entry['method']})"


def _failure(entry):
    return f"{entry['instance']}: {entry['reason']}"


def _plan_row(step):
    return {"Server": step["instance"], "Name": step["name"], "Target": step["target"],
            "Method": step["method"], "Why": step["reason"]}


def _wait(conn, host, kind, generation, verbose):
    """Follows the request until it ends; the last status body. The bar shows how many
    instances are moving (their IDs would crowd out the bar and the elapsed time);
    ``verbose`` prints a line above it for each move as it starts."""
    shown = set()

    def fetch():
        body = admin.request(conn, "GET", f"/hosts/{host}/flush")
        flush = body["flush"]
        if flush["generation"] != generation:
            raise CliError(f"The {kind} of host {body['host']} was cancelled by a newer "
                           f"request ({flush['kind']} #{flush['generation']}).")
        moving = [_moving(entry) for entry in flush["current"]]
        if verbose:
            _print_new(moving, shown)
        status = body["maintenance_state"] + (f", {len(moving)} moving" if moving else "")
        return flush["done"], flush["total"], status, flush["finished"], body
    return waiting.follow(f"{kind.title()} {host}", fetch)


def _print_new(moving, shown):
    """Prints each of ``moving`` not in ``shown`` yet (on stderr, above the bar)."""
    for move in moving:
        if move not in shown:
            shown.add(move)
            click.echo(f"Moving {move}", err=True)


def _finish(obj, body, kind, wait, verbose):
    """Prints the status; after --wait, exit 1 with the reasons of any failure."""
    if wait:
        body = _wait(obj.conn, body["host"], kind, body["flush"]["generation"], verbose)
    output.print_record(obj.fmt, status_record(body))
    failures = body["flush"]["failures"] if wait else []
    if failures:
        raise CliError(f"The {kind} of host {body['host']} ended in state "
                       f"{body['maintenance_state']} with {len(failures)} failure(s): "
                       + "; ".join(_failure(entry) for entry in failures))
    if wait and body["maintenance_state"] != _SETTLED[kind]:
        raise CliError(f"The {kind} of host {body['host']} ended in state "
                       f"{body['maintenance_state']}.")


@click.command("flush")
@click.argument("host", metavar="HOST")
@click.option("--wait", is_flag=True,
              help="Show the progress until every instance has moved; exit 1 with the "
                   "reasons if any could not.")
@VERBOSE
@click.option("--dry-run", is_flag=True,
              help="Only show where each instance would go (or why it would stay).")
@click.option("--concurrency", type=click.IntRange(1, 64),
              help="Instances moved at the same time (default: [ha] flush_concurrency).")
@click.pass_obj
def flush(obj, host, wait, verbose, dry_run, concurrency):
    """Move every instance off HOST (live or cold migration, as each instance's
    migration_method says); an instance no host can take is shut down and started again
    by the next unflush. A new flush or unflush of HOST cancels this one."""
    if dry_run and (wait or concurrency):
        raise click.UsageError("--dry-run excludes --wait and --concurrency.")
    body = {"dry_run": True} if dry_run else \
        ({"concurrency": concurrency} if concurrency else {})
    answer = admin.request(obj.conn, "POST", f"/hosts/{host}/flush", json=body)
    if dry_run:
        output.print_list(obj.fmt, PLAN_COLUMNS, [_plan_row(step) for step in answer["plan"]])
        return
    _finish(obj, answer, "flush", wait, verbose)


@click.command("unflush")
@click.argument("host", metavar="HOST")
@click.option("--wait", is_flag=True,
              help="Show the progress until every instance is back; exit 1 with the "
                   "reasons if any could not come back.")
@VERBOSE
@click.option("--concurrency", type=click.IntRange(1, 64),
              help="Instances moved at the same time (default: [ha] flush_concurrency).")
@click.pass_obj
def unflush(obj, host, wait, verbose, concurrency):
    """Bring back to HOST every instance a flush moved away, start those it shut down,
    and make HOST ready again."""
    body = {"concurrency": concurrency} if concurrency else {}
    _finish(obj, admin.request(obj.conn, "POST", f"/hosts/{host}/unflush", json=body),
            "unflush", wait, verbose)


COMMANDS = (flush, unflush)
