"""`godwit security-group ...`: every project's security groups and rules (admin API).

The API checks every value (protocol, port range, CIDR, a duplicate rule, a group still in
use); the CLI passes them on and prints the API's message when it refuses. Rule changes
reach the hosts running the group's servers by themselves.
"""

import click

from godwit.cli import admin, output

PATH = "/security-groups"
LIST_COLUMNS = ["ID", "Name", "Project", "Description", "Rules"]
RULE_COLUMNS = ["ID", "Protocol", "Ports", "Source"]


@click.group("security-group")
def security_group():
    """Security groups and their rules, in every project (admin only)."""


@security_group.command("list")
@click.option("--project", "project_id", metavar="PROJECT_ID", help="Only this project's.")
@click.pass_obj
def list_groups(obj, project_id):
    """List security groups, oldest first."""
    found = admin.request(obj.conn, "GET", PATH, params={"project_id": project_id})
    output.print_list(obj.fmt, LIST_COLUMNS,
                      [list_row(group) for group in found["security_groups"]])


@security_group.command("show")
@click.argument("group_id", metavar="ID")
@click.pass_obj
def show_group(obj, group_id):
    """Show a security group and its rules."""
    found = admin.request(obj.conn, "GET", f"{PATH}/{group_id}")["security_group"]
    _print_group(obj, found)


@security_group.command("create")
@click.argument("name")
@click.option("--project", "project_id", required=True, metavar="PROJECT_ID",
              help="The project the group belongs to.")
@click.option("--description", metavar="TEXT")
@click.pass_obj
def create_group(obj, name, project_id, description):
    """Create a security group for a project."""
    body = {"security_group": {"project_id": project_id, "name": name,
                               "description": description}}
    _print_group(obj, admin.request(obj.conn, "POST", PATH, json=body)["security_group"])


@security_group.command("delete")
@click.argument("group_id", metavar="ID")
@click.pass_obj
def delete_group(obj, group_id):
    """Delete a security group no server uses, with its rules."""
    admin.request(obj.conn, "DELETE", f"{PATH}/{group_id}")


@security_group.command("rule-create")
@click.argument("group_id", metavar="ID")
@click.option("--protocol", type=click.Choice(["tcp", "udp", "icmp"]),
              help="Without one the rule allows every protocol (and takes no ports).")
@click.option("--port", "ports", metavar="MIN[:MAX]",
              help="Port or port range (ICMP: type[:code], -1 for any).")
@click.option("--remote-ip", metavar="CIDR", help="Source addresses (default 0.0.0.0/0).")
@click.option("--remote-group", metavar="GROUP_ID", help="Source: the members of a group.")
@click.pass_obj
def create_rule(obj, group_id, protocol, ports, remote_ip, remote_group):
    """Add an ingress rule to a security group."""
    low, high = _port_range(ports)
    body = {"rule": {"protocol": protocol, "port_range_min": low, "port_range_max": high,
                     "remote_ip_prefix": remote_ip, "remote_group_id": remote_group}}
    body["rule"] = {key: value for key, value in body["rule"].items() if value is not None}
    rule = admin.request(obj.conn, "POST", f"{PATH}/{group_id}/rules", json=body)["rule"]
    output.print_record(obj.fmt, rule)


@security_group.command("rule-delete")
@click.argument("group_id", metavar="ID")
@click.argument("rule_id", metavar="RULE_ID")
@click.pass_obj
def delete_rule(obj, group_id, rule_id):
    """Delete a rule of a security group."""
    admin.request(obj.conn, "DELETE", f"{PATH}/{group_id}/rules/{rule_id}")


def _port_range(ports):
    """``"22"`` -> (22, 22); ``"8000:8080"`` -> (8000, 8080); None -> (None, None)."""
    if ports is None:
        return None, None
    low, _, high = ports.partition(":")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise click.BadParameter(f"{ports!r} is not MIN or MIN:MAX.",
                                 param_hint="--port") from None


def _print_group(obj, group):
    if obj.fmt == "json":
        output.print_record(obj.fmt, group)
        return
    output.print_record(obj.fmt, {key: value for key, value in group.items() if key != "rules"})
    output.print_list(obj.fmt, RULE_COLUMNS, [rule_row(rule) for rule in group["rules"]])


def list_row(group):
    return {"ID": group["id"], "Name": group["name"], "Project": group["project_id"],
            "Description": group["description"] or "", "Rules": len(group["rules"])}


def rule_row(rule):
    low, high = rule["port_range_min"], rule["port_range_max"]
    ports = "" if low is None else (str(low) if low == high else f"{low}:{high}")
    return {"ID": rule["id"], "Protocol": rule["protocol"] or "any", "Ports": ports,
            "Source": rule["remote_ip_prefix"] or f"group {rule['remote_group_id']}"}
