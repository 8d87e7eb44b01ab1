"""What a user sees of a server: list rows and the Field/Value record of `server show`."""

# Nova's power_state integers (OS-EXT-STS:power_state).
POWER_STATES = {
    0: "NOSTATE",
    1: "Running",
    3: "Paused",
    4: "Shutdown",
    6: "Crashed",
    7: "Suspended",
}


def list_columns(show_host):
    """Host only appears when the API returned it, i.e. for admins."""
    host = ["Host"] if show_host else []
    return ["ID", "Name", "Status", *host, "Flavor", "Image"]


def list_row(server, image_names, show_host):
    image = image_id(server)
    row = {"ID": server.id, "Name": server.name, "Status": server.status}
    if show_host:
        row["Host"] = server.compute_host
    row["Flavor"] = flavor_label(server.flavor)
    row["Image"] = image_names.get(image, image)
    return row


def server_record(server, image_name):
    """Fields for `server show`; host and fault only when the API returned them."""
    record = {
        "id": server.id,
        "name": server.name,
        "status": server.status,
        "task_state": server.task_state,
        "vm_state": server.vm_state,
        "power_state": POWER_STATES.get(server.power_state, server.power_state),
        "progress": server.progress,
    }
    if server.compute_host:
        record["host"] = server.compute_host
    record.update(
        flavor=flavor_label(server.flavor),
        image=_image_label(image_id(server), image_name),
        addresses=_addresses(server.addresses),
        properties=server.metadata or {},
        project_id=server.project_id,
        user_id=server.user_id,
        created=server.created_at,
        updated=server.updated_at,
    )
    if server.fault:
        record["fault"] = fault_message(server)
    return record


def flavor_label(flavor):
    """From microversion 2.47 the flavor is embedded and its original_name is what the SDK
    exposes as name (and id); before that only {"id": ...} is returned."""
    return (flavor.name or flavor.id) if flavor else None


def image_id(server):
    """None for a server booted from a volume (Nova returns image "")."""
    return (server.image or {}).get("id")


def fault_message(server):
    return (server.fault or {}).get("message") or "no fault recorded"


def _image_label(image, name):
    return f"{name} ({image})" if name else image


def _addresses(addresses):
    return {net: [ip["addr"] for ip in ips] for net, ips in (addresses or {}).items()}
