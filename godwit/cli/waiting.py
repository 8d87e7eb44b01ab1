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
SETTLED = ("ACTIVE", "ERROR")


def wait_until_settled(conn, server):
    """Poll until the server is ACTIVE or ERROR and return its last state."""
    with _progress() as progress:
        task = progress.add_task(f"Server {server.name}", total=100, status="")
        while True:
            server = conn.compute.get_server(server.id)
            done = 100 if server.status == "ACTIVE" else server.progress or 0
            progress.update(task, completed=done, status=_status(server))
            if server.status in SETTLED:
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
