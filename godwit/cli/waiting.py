"""Polling the API for a server's status while showing a rich progress bar on stderr."""

from time import sleep

from openstack import exceptions as sdk_exc
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

POLL_INTERVAL = 2


def wait_until_settled(conn, server, busy=("BUILD",), goals=("ACTIVE",)):
    """Poll while the server's status is one of ``busy`` and return its last state.

    The bar follows the server's ``progress`` (a migration's share of bytes copied) and is
    full once the status is one of ``goals``; whether the end is a success is the caller's.
    """
    with _progress() as progress:
        task = progress.add_task(f"Server {server.name}", total=100, status="")
        while True:
            server = conn.compute.get_server(server.id)
            done = 100 if server.status in goals else server.progress or 0
            # refresh: every poll is drawn, even when it comes faster than the redraw rate.
            progress.update(task, completed=done, status=_status(server), refresh=True)
            if server.status not in busy:
                return server
            sleep(POLL_INTERVAL)


def wait_until_gone(conn, servers):
    """Poll until every server is deleted; returns any that went to ERROR instead."""
    pending, failed = list(servers), []
    with _progress() as progress:
        task = progress.add_task("Deleting", total=len(pending), status="")
        while pending:
            current = [_refresh(conn, server) for server in pending]
            failed += [server for server in current if server and _delete_failed(server)]
            pending = [server for server in current if server and not _delete_failed(server)]
            progress.update(task, completed=len(servers) - len(pending), status=_names(pending))
            if pending:
                sleep(POLL_INTERVAL)
    return failed


def follow(description, fetch):
    """Polls ``fetch`` -> (done, total, status text, ended, result) under a progress bar
    until ``ended``; returns the last ``result``."""
    with _progress() as progress:
        task = progress.add_task(description, total=None, status="")
        while True:
            done, total, status, ended, result = fetch()
            progress.update(task, completed=done, total=total or None, status=status,
                            refresh=True)
            if ended:
                return result
            sleep(POLL_INTERVAL)


def _refresh(conn, server):
    try:
        return conn.compute.get_server(server.id)
    except sdk_exc.ResourceNotFound:
        return None


def _delete_failed(server):
    """A server already in ERROR stays ERROR while task_state is "deleting"; only after
    the compute host gives up (task_state cleared) is ERROR a failed delete."""
    return server.status == "ERROR" and server.task_state != "deleting"


def _status(server):
    return f"{server.status} ({server.task_state})" if server.task_state else server.status


def _names(servers):
    return ", ".join(server.name or server.id for server in servers)


def _progress():
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[status]}", markup=False),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
