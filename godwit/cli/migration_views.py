"""What an operator sees of a migration (the admin API's body): list rows and `show`."""

from godwit.compute import states

# Every status a migration can have, in protocol order (the server's own list).
STATUSES = states.MIGRATION_STATUSES
# The final statuses of a migration that did not get there.
FAILED = (states.MIGRATION_ERROR, states.CANCELLED)

LIST_COLUMNS = [
    "ID",
    "Server",
    "Type",
    "Status",
    "Outcome",
    "Source",
    "Destination",
    "Next step host",
    "Progress",
    "Updated",
]


def list_row(migration):
    return {
        "ID": migration["id"],
        "Server": migration["server_id"],
        "Type": migration["type"],
        "Status": migration["status"],
        "Outcome": migration["outcome"],
        "Source": migration["source_host"],
        "Destination": migration["dest_host"],
        "Next step host": migration["next_step_host"],
        "Progress": migration["progress"],
        "Updated": migration["updated_at"],
    }


def migration_record(migration):
    return {
        "id": migration["id"],
        "server_id": migration["server_id"],
        "type": migration["type"],
        "status": migration["status"],
        "outcome": migration["outcome"],
        "source_host": migration["source_host"],
        "dest_host": migration["dest_host"],
        "next_step_host": migration["next_step_host"],
        "old_flavor": flavor_label(migration["old_flavor"]),
        "new_flavor": flavor_label(migration["new_flavor"]),
        "progress": migration["progress"],
        "bytes_transferred": migration["bytes_transferred"],
        "bytes_total": migration["bytes_total"],
        "error": migration["error"],
        "created": migration["created_at"],
        "updated": migration["updated_at"],
    }


def flavor_label(flavor):
    """``m1.small (1 vCPU, 2048 MiB RAM, 20 GiB disk)``."""
    if not flavor:
        return None
    return (
        f"{flavor['name']} ({flavor['vcpus']} vCPU, {flavor['ram']} MiB RAM, "
        f"{flavor['disk']} GiB disk)"
    )


def failure(migration):
    """``migration X ended error: why`` (or ``... ended cancelled``)."""
    reason = f": {migration['error']}" if migration["error"] else ""
    return f"migration {migration['id']} ended {migration['status']}{reason}"
