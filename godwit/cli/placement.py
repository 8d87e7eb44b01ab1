"""`godwit zone|pod|cluster|host list|show|create|update|delete` (admin API).

Rows are named by id or by name: a zone through the API (which takes either), the others by
listing them (a name two rows share must be given as an id). Anyone may list and show the
zones they can see; everything else is for admins.
"""

import uuid

import click

from godwit.cli import admin, output
from godwit.cli.errors import CliError

STATES = click.Choice(["Enabled", "Disabled"])
MANAGED_STATES = click.Choice(["Managed", "Unmanaged"])

LIST_COLUMNS = {
    "zone": ["ID", "Name", "Allocation state"],
    "pod": ["ID", "Name", "Zone", "Allocation state"],
    "cluster": ["ID", "Name", "Pod", "Zone", "Hypervisor type", "Allocation state",
                "Managed state"],
    "host": [
        "ID",
        "Name",
        "Cluster",
        "Allocation state",
        "Maintenance",
        "vCPUs used",
        "Memory MB used",
        "Running VMs",
    ],
}


def list_row(key, row):
    values = {
        "ID": row["id"],
        "Name": row["name"],
        "Allocation state": row["allocation_state"],
        "Zone": row.get("zone_id"),
        "Pod": row.get("pod_id"),
        "Cluster": row.get("cluster_id"),
        "Hypervisor type": row.get("hypervisor_type"),
        "Maintenance": row.get("maintenance_state"),
        "Managed state": row.get("managed_state"),
    }
    if key == "host":
        values["vCPUs used"] = f"{row['vcpus_used']}/{row['vcpus']}"
        values["Memory MB used"] = f"{row['memory_mb_used']}/{row['memory_mb']}"
        values["Running VMs"] = row["running_vms"]
    return {column: values[column] for column in LIST_COLUMNS[key]}


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def resolve(conn, key, ref):
    """The id of the ``key`` row whose id or name is ``ref``."""
    if _is_uuid(ref):
        return ref
    if key == "zone":
        return admin.request(conn, "GET", f"/zones/{ref}")["zone"]["id"]
    found = [
        row["id"] for row in admin.request(conn, "GET", f"/{key}s")[f"{key}s"] if row["name"] == ref
    ]
    if not found:
        raise CliError(f"No {key} is named {ref}.")
    if len(found) > 1:
        raise CliError(f"Several {key}s are named {ref}: give its id.")
    return found[0]


def _send(obj, key, method, path, fields):
    body = admin.request(obj.conn, method, path, json={key: fields})
    output.print_record(obj.fmt, body[key])


def _level_group(key, help_text):
    """The group of one level with the commands every level has: list, show, delete."""
    group = click.Group(key, help=help_text)

    @group.command("show")
    @click.argument("ref", metavar="ID_OR_NAME")
    @click.pass_obj
    def show(obj, ref):
        """Show one."""
        row_id = ref if key == "zone" else resolve(obj.conn, key, ref)
        output.print_record(obj.fmt, admin.request(obj.conn, "GET", f"/{key}s/{row_id}")[key])

    @group.command("delete")
    @click.argument("ref", metavar="ID_OR_NAME")
    @click.pass_obj
    def delete(obj, ref):
        """Delete one that holds nothing."""
        admin.request(obj.conn, "DELETE", f"/{key}s/{resolve(obj.conn, key, ref)}")

    return group


def _list(obj, key, query):
    found = admin.request(obj.conn, "GET", f"/{key}s", params=query)[f"{key}s"]
    output.print_list(obj.fmt, LIST_COLUMNS[key], [list_row(key, row) for row in found])


_STATE_OPTION = click.option(
    "--allocation-state", "state", type=STATES, help="Enabled (takes new work) or Disabled."
)

_MANAGED_OPTION = click.option(
    "--managedstate",
    "--managed-state",
    "managed",
    type=MANAGED_STATES,
    help="Managed, or Unmanaged: its compute workers leave the hypervisors alone (upgrades).",
)

# --- zones ------------------------------------------------------------------------------------

zone = _level_group("zone", "Zones: the availability zones of the Compute API.")


@zone.command("list")
@_STATE_OPTION
@click.pass_obj
def list_zones(obj, state):
    """List zones (non-admins: the Enabled ones)."""
    _list(obj, "zone", {"allocationstate": state})


@zone.command("create")
@click.argument("name")
@_STATE_OPTION
@click.pass_obj
def create_zone(obj, name, state):
    """Create a zone (Disabled unless --allocation-state Enabled)."""
    _send(obj, "zone", "POST", "/zones", _fields(name=name, allocationstate=state))


@zone.command("update")
@click.argument("ref", metavar="ID_OR_NAME")
@click.option("--name", help="New name.")
@_STATE_OPTION
@click.pass_obj
def update_zone(obj, ref, name, state):
    """Rename, enable or disable a zone."""
    fields = _changes(name=name, allocationstate=state)
    _send(obj, "zone", "PATCH", f"/zones/{resolve(obj.conn, 'zone', ref)}", fields)


# --- pods -------------------------------------------------------------------------------------

pod = _level_group("pod", "Pods: groups of clusters in a zone.")


@pod.command("list")
@click.option("--zone", "zone_ref", metavar="ID_OR_NAME", help="Only this zone's.")
@_STATE_OPTION
@click.pass_obj
def list_pods(obj, zone_ref, state):
    """List pods."""
    zone_id = resolve(obj.conn, "zone", zone_ref) if zone_ref else None
    _list(obj, "pod", {"zone_id": zone_id, "allocationstate": state})


@pod.command("create")
@click.argument("name")
@click.option("--zone", "zone_ref", metavar="ID_OR_NAME", required=True, help="Its zone.")
@_STATE_OPTION
@click.pass_obj
def create_pod(obj, name, zone_ref, state):
    """Create a pod (Disabled unless --allocation-state Enabled)."""
    fields = _fields(name=name, zone_id=resolve(obj.conn, "zone", zone_ref), allocationstate=state)
    _send(obj, "pod", "POST", "/pods", fields)


@pod.command("update")
@click.argument("ref", metavar="ID_OR_NAME")
@click.option("--name", help="New name.")
@_STATE_OPTION
@click.pass_obj
def update_pod(obj, ref, name, state):
    """Rename, enable or disable a pod."""
    fields = _changes(name=name, allocationstate=state)
    _send(obj, "pod", "PATCH", f"/pods/{resolve(obj.conn, 'pod', ref)}", fields)


# --- clusters ---------------------------------------------------------------------------------

cluster = _level_group("cluster", "Clusters: hosts of one hypervisor type in a pod.")


@cluster.command("list")
@click.option("--zone", "zone_ref", metavar="ID_OR_NAME", help="Only this zone's.")
@click.option("--pod", "pod_ref", metavar="ID_OR_NAME", help="Only this pod's.")
@_STATE_OPTION
@_MANAGED_OPTION
@click.pass_obj
def list_clusters(obj, zone_ref, pod_ref, state, managed):
    """List clusters."""
    query = {
        "zone_id": resolve(obj.conn, "zone", zone_ref) if zone_ref else None,
        "pod_id": resolve(obj.conn, "pod", pod_ref) if pod_ref else None,
        "allocationstate": state,
        "managedstate": managed,
    }
    _list(obj, "cluster", query)


@cluster.command("create")
@click.argument("name")
@click.option("--pod", "pod_ref", metavar="ID_OR_NAME", required=True, help="Its pod.")
@click.option("--hypervisor-type", required=True, help="xen or fake.")
@_STATE_OPTION
@_MANAGED_OPTION
@click.pass_obj
def create_cluster(obj, name, pod_ref, hypervisor_type, state, managed):
    """Create a cluster (Disabled unless --allocation-state Enabled; Managed unless
    --managedstate Unmanaged)."""
    fields = _fields(
        name=name,
        pod_id=resolve(obj.conn, "pod", pod_ref),
        hypervisor_type=hypervisor_type,
        allocationstate=state,
        managedstate=managed,
    )
    _send(obj, "cluster", "POST", "/clusters", fields)


@cluster.command("update")
@click.argument("ref", metavar="ID_OR_NAME")
@click.option("--name", help="New name.")
@_STATE_OPTION
@_MANAGED_OPTION
@click.pass_obj
def update_cluster(obj, ref, name, state, managed):
    """Rename, enable or disable a cluster, or (un)manage it: see doc/cluster-upgrades.md."""
    fields = _changes(name=name, allocationstate=state, managedstate=managed)
    _send(obj, "cluster", "PATCH", f"/clusters/{resolve(obj.conn, 'cluster', ref)}", fields)


# --- hosts ------------------------------------------------------------------------------------

host = _level_group("host", "Hypervisor hosts, each run by one compute worker.")


@host.command("list")
@click.option("--cluster", "cluster_ref", metavar="ID_OR_NAME", help="Only this cluster's.")
@_STATE_OPTION
@click.pass_obj
def list_hosts(obj, cluster_ref, state):
    """List hosts with their usage."""
    cluster_id = resolve(obj.conn, "cluster", cluster_ref) if cluster_ref else None
    _list(obj, "host", {"cluster_id": cluster_id, "allocationstate": state})


@host.command("create")
@click.argument("name")
@click.option("--cluster", "cluster_ref", metavar="ID_OR_NAME", required=True, help="Its cluster.")
@_STATE_OPTION
@click.pass_obj
def create_host(obj, name, cluster_ref, state):
    """Add a host before its compute worker starts (`godwit-compute --host NAME`), which
    then fills in its capacity. Disabled unless --allocation-state Enabled."""
    fields = _fields(
        name=name, cluster_id=resolve(obj.conn, "cluster", cluster_ref), allocationstate=state
    )
    _send(obj, "host", "POST", "/hosts", fields)


@host.command("update")
@click.argument("ref", metavar="ID_OR_NAME")
@click.option("--cluster", "cluster_ref", metavar="ID_OR_NAME", help="Move it to this cluster.")
@click.option("--no-cluster", is_flag=True, help="Take it out of its cluster.")
@_STATE_OPTION
@click.pass_obj
def update_host(obj, ref, cluster_ref, no_cluster, state):
    """Enable or disable a host, or move it to another cluster."""
    if cluster_ref and no_cluster:
        raise click.UsageError("--cluster and --no-cluster exclude each other.")
    fields = _fields(allocationstate=state)
    if cluster_ref:
        fields["cluster_id"] = resolve(obj.conn, "cluster", cluster_ref)
    if no_cluster:
        fields["cluster_id"] = None
    if not fields:
        raise click.UsageError("Nothing to change: give --allocation-state or a cluster.")
    _send(obj, "host", "PATCH", f"/hosts/{resolve(obj.conn, 'host', ref)}", fields)


def _fields(**values):
    return {key: value for key, value in values.items() if value is not None}


def _changes(**values):
    fields = _fields(**values)
    if not fields:
        raise click.UsageError("Nothing to change: give --name or a state.")
    return fields


GROUPS = (zone, pod, cluster, host)
