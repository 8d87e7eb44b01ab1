"""`godwit hypervisor-capability ...`: limits per hypervisor type and version (admin API).

The API checks every value (a type it does not know, a negative limit, a duplicate type and
version); the CLI passes them on and prints the API's message when it refuses.
"""

import click

from godwit.cli import admin, output
from godwit.cli.errors import CliError

PATH = "/hypervisor-capabilities"
LIST_COLUMNS = [
    "ID",
    "Type",
    "Version",
    "Max guests",
    "Security groups",
    "Max data volumes",
    "Storage motion",
]
# Option name -> the API's field, for create and update.
FIELDS = {
    "hypervisor_type": "hypervisor_type",
    "hypervisor_version": "hypervisor_version",
    "max_guests": "max_guests_limit",
    "security_groups": "security_group_enabled",
    "max_data_volumes": "max_data_volumes_limit",
    "storage_motion": "storage_motion_supported",
}


def _limit_options(func):
    """The options create and update share (apart from type and version)."""
    options = [
        click.option(
            "--max-guests",
            type=click.IntRange(min=0),
            metavar="N",
            help="Most guests on a host (0: none at all).",
        ),
        click.option(
            "--security-groups/--no-security-groups",
            default=None,
            help="Whether security groups are enabled.",
        ),
        click.option(
            "--max-data-volumes",
            type=click.IntRange(min=0),
            metavar="N",
            help="Most data volumes per guest (recorded, not enforced).",
        ),
        click.option(
            "--storage-motion/--no-storage-motion",
            default=None,
            help="Whether storage motion is supported (recorded, not enforced).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group("hypervisor-capability")
def hypervisor_capability():
    """Limits per hypervisor type and version (admin only)."""


@hypervisor_capability.command("list")
@click.option("--type", "hypervisor_type", metavar="TYPE", help="Only this type.")
@click.option("--version", "hypervisor_version", metavar="VERSION", help="Only this version.")
@click.pass_obj
def list_capabilities(obj, hypervisor_type, hypervisor_version):
    """List hypervisor capabilities, oldest first."""
    params = {"hypervisor_type": hypervisor_type, "hypervisor_version": hypervisor_version}
    found = admin.request(obj.conn, "GET", PATH, params=params)["hypervisor_capabilities"]
    output.print_list(obj.fmt, LIST_COLUMNS, [list_row(item) for item in found])


@hypervisor_capability.command("show")
@click.argument("capability_id", metavar="ID")
@click.pass_obj
def show_capability(obj, capability_id):
    """Show one hypervisor capability."""
    found = admin.request(obj.conn, "GET", f"{PATH}/{capability_id}")
    output.print_record(obj.fmt, found["hypervisor_capability"])


@hypervisor_capability.command("create")
@click.option("--type", "hypervisor_type", required=True, metavar="TYPE", help="xen or fake.")
@click.option("--version", "hypervisor_version", required=True, metavar="VERSION")
@_limit_options
@click.pass_obj
def create_capability(obj, **options):
    """Create a hypervisor capability; limits left out take the built-in default's."""
    body = {"hypervisor_capability": _fields(options)}
    created = admin.request(obj.conn, "POST", PATH, json=body)
    output.print_record(obj.fmt, created["hypervisor_capability"])


@hypervisor_capability.command("update")
@click.argument("capability_id", metavar="ID")
@click.option("--type", "hypervisor_type", metavar="TYPE")
@click.option("--version", "hypervisor_version", metavar="VERSION")
@_limit_options
@click.pass_obj
def update_capability(obj, capability_id, **options):
    """Change some fields of a hypervisor capability."""
    fields = _fields(options)
    if not fields:
        raise CliError("Nothing to change: give at least one option.")
    body = {"hypervisor_capability": fields}
    updated = admin.request(obj.conn, "PATCH", f"{PATH}/{capability_id}", json=body)
    output.print_record(obj.fmt, updated["hypervisor_capability"])


@hypervisor_capability.command("delete")
@click.argument("capability_id", metavar="ID")
@click.pass_obj
def delete_capability(obj, capability_id):
    """Delete a hypervisor capability (its hosts fall back as `lookup` shows)."""
    admin.request(obj.conn, "DELETE", f"{PATH}/{capability_id}")


@hypervisor_capability.command("lookup")
@click.option("--type", "hypervisor_type", required=True, metavar="TYPE")
@click.option("--version", "hypervisor_version", metavar="VERSION")
@click.pass_obj
def lookup_capability(obj, hypervisor_type, hypervisor_version):
    """Show the capability that applies to a host of this type and version, and whether it
    matched exactly, by type only, or is the built-in default."""
    params = {"hypervisor_type": hypervisor_type, "hypervisor_version": hypervisor_version}
    found = admin.request(obj.conn, "GET", f"{PATH}/lookup", params=params)
    output.print_record(obj.fmt, {"source": found["source"], **found["hypervisor_capability"]})


def _fields(options):
    return {FIELDS[name]: value for name, value in options.items() if value is not None}


def list_row(capability):
    return {
        "ID": capability["id"],
        "Type": capability["hypervisor_type"],
        "Version": capability["hypervisor_version"],
        "Max guests": capability["max_guests_limit"],
        "Security groups": capability["security_group_enabled"],
        "Max data volumes": capability["max_data_volumes_limit"],
        "Storage motion": capability["storage_motion_supported"],
    }
