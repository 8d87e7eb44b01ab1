"""`godwit vm define|show|meta`: VMs with their placement metadata (admin API, doc/ha.md).

A definition file (YAML, or JSON when its name ends in .json) is checked whole before
anything is sent: a malformed file is an error naming its line, a bad field one naming the
field, and nothing is created. The API checks everything again (host names too).
"""
import json

import click
import yaml

from godwit import exception
from godwit.api import validation
from godwit.api.admin import vm_schemas
from godwit.cli import admin, output, servers
from godwit.cli.errors import CliError
from godwit.compute import vm_meta

# A definition names its flavor and image by name or id; the API wants ids.
DEFINITION_SCHEMA = {
    **vm_schemas.CREATE,
    "properties": {**vm_schemas.CREATE["properties"],
                   "image": {"type": "string", "minLength": 1, "maxLength": 255}},
}


@click.group("vm")
def vm():
    """VMs and their placement metadata (admins)."""


@vm.command("define")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def define(obj, path):
    """Create VMs from a definition FILE: name, flavor, image, and optionally host_id,
    availability_zone, metadata, count, node_limit, node_selector, autostart,
    migration_method (see doc/examples/vm-definition.yaml)."""
    definition = load_definition(path)
    conn = obj.conn
    definition["flavor"] = conn.compute.find_flavor(definition["flavor"],
                                                    ignore_missing=False).id
    definition["image"] = conn.image.find_image(definition["image"], ignore_missing=False).id
    created = admin.request(conn, "POST", "/vms", json=definition)["vms"]
    output.print_list(obj.fmt, ["id", "name"], created)


def load_definition(path):
    """The definition in ``path``, checked; CliError naming the line or field if not."""
    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    definition = _parse_json(path, text) if path.endswith(".json") else _parse_yaml(path, text)
    if not isinstance(definition, dict):
        raise CliError(f"{path}: a definition must be a mapping of fields to values.")
    try:
        validation.validate(definition, DEFINITION_SCHEMA)
    except exception.ValidationError as err:
        raise CliError(f"{path}: {err.message}") from None
    return definition


def _parse_json(path, text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise CliError(f"{path}, line {err.lineno}, column {err.colno}: malformed JSON: "
                       f"{err.msg}.") from None


def _parse_yaml(path, text):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise CliError(f"{path}{where}: malformed YAML: {problem}.") from None


@vm.command("show")
@click.argument("server_ref", metavar="VM")
@click.pass_obj
def show(obj, server_ref):
    """Show a VM (ID or name) with its placement metadata and previous_host."""
    found = servers.find_in_any_project(obj.conn, server_ref)
    output.print_record(obj.fmt, admin.request(obj.conn, "GET", f"/vms/{found.id}")["vm"])


@vm.command("meta")
@click.argument("server_ref", metavar="VM")
@click.option("--node-limit", metavar="H1,H2", help="The only hosts the VM may run on.")
@click.option("--no-node-limit", is_flag=True, help="Let the VM run on any host.")
@click.option("--node-selector", type=click.Choice(vm_meta.SELECTORS),
              help="How a target host is chosen when the VM is moved automatically.")
@click.option("--autostart/--no-autostart", default=None,
              help="Start it again when its home host is unflushed, if it was stopped.")
@click.option("--migration-method", type=click.Choice(vm_meta.METHODS),
              help="How a flush moves it.")
@click.pass_obj
def meta(obj, server_ref, node_limit, no_node_limit, node_selector, autostart,
         migration_method):
    """Change a VM's placement metadata; options left out leave their field alone."""
    if node_limit is not None and no_node_limit:
        raise CliError("--node-limit and --no-node-limit cannot be used together.")
    changes = {"node_selector": node_selector, "autostart": autostart,
               "migration_method": migration_method}
    changes = {field: value for field, value in changes.items() if value is not None}
    if node_limit is not None:
        changes["node_limit"] = [name.strip() for name in node_limit.split(",")
                                 if name.strip()]
    if no_node_limit:
        changes["node_limit"] = []
    if not changes:
        raise CliError("Nothing to change: give at least one option (see --help).")
    found = servers.find_in_any_project(obj.conn, server_ref)
    output.print_record(obj.fmt, admin.request(obj.conn, "POST", f"/vms/{found.id}/meta",
                                               json=changes)["vm"])
