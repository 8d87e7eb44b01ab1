"""The top-level `godwit` command group."""

import click
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from godwit.cli import (
    flush,
    ha,
    hypervisor_capabilities,
    live_migration,
    migrations,
    placement,
    security_groups,
    servers,
    vms,
)
from godwit.cli.connection import CliContext
from godwit.cli.errors import CliError, describe


class GodwitGroup(click.Group):
    """Turns SDK and keystoneauth failures from any subcommand into one `Error:` line."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (sdk_exc.SDKException, ks_exc.ClientException) as exc:
            raise CliError(describe(exc)) from exc


@click.group(
    name="godwit", cls=GodwitGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--os-cloud",
    envvar="OS_CLOUD",
    show_envvar=True,
    metavar="NAME",
    help="Cloud to use from clouds.yaml.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json prints machine-readable output on stdout.",
)
@click.pass_context
def cli(ctx, os_cloud, fmt):
    """Manage servers and their migrations on a godwit cloud through its API."""
    ctx.obj = CliContext(os_cloud, fmt)


cli.add_command(servers.server)
for command in live_migration.COMMANDS:
    servers.server.add_command(command)
cli.add_command(migrations.migration)
cli.add_command(vms.vm)
cli.add_command(hypervisor_capabilities.hypervisor_capability)
cli.add_command(security_groups.security_group)
for group in placement.GROUPS:
    cli.add_command(group)
for command in flush.COMMANDS:
    placement.host.add_command(command)
cli.add_command(ha.ha)
placement.host.add_command(ha.unfence)


def main():
    cli(prog_name="godwit")
