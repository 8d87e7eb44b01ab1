"""godwit-manage: offline administration (schema upgrades, projects, users, roles)."""
import click
from oslo_log import log as logging

from godwit import exception, seed
from godwit.conf import CONF
from godwit.db import migration, models
from godwit.identity import bootstrap

ROLE = click.Choice(models.ROLES)


class _Group(click.Group):
    """Shows godwit's errors (unknown project, duplicate name...) as one line, exit 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except exception.GodwitException as exc:
            raise click.ClickException(exc.message) from exc


@click.group(cls=_Group)
@click.option("--config-file", "config_files", multiple=True, type=click.Path(dir_okay=False),
              help="Configuration file; may be repeated (later files win). Default: "
                   "godwit.conf in ~/.godwit, ~/, /etc/godwit, /etc.")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Overrides [DEFAULT] data_dir (where the embedded SQLite database lives).")
def cli(config_files, data_dir):
    _parse_config([arg for path in config_files for arg in ("--config-file", path)])
    if data_dir:
        CONF.set_override("data_dir", data_dir)


def _parse_config(argv):
    """Like ``cmd.common.prepare`` without RPC, which offline commands do not need."""
    logging.register_options(CONF)
    logging.set_defaults(default_log_levels=logging.get_default_log_levels() + [
        "alembic=WARN"])
    CONF(argv, project="godwit")
    logging.setup(CONF, "godwit-manage")


def _require_schema():
    if migration.current_revision() is None:
        raise click.ClickException("The database has no schema yet: run "
                                   "'godwit-manage db sync' first.")


# --- db --------------------------------------------------------------------------------------

@cli.group()
def db():
    """The database schema."""


@db.command("sync")
def db_sync():
    """Upgrade the schema to the latest revision (safe to repeat)."""
    migration.upgrade()
    click.echo(f"Database schema is at revision {migration.current_revision()}.")


@db.command("version")
def db_version():
    """Print the schema revision."""
    click.echo(migration.current_revision() or "None")


# --- identity --------------------------------------------------------------------------------

@cli.group()
def project():
    """Projects (tenants)."""


@project.command("create")
@click.argument("name")
@click.option("--description", help="Free text.")
def project_create(name, description):
    _require_schema()
    row = bootstrap.create_project(name, description)
    click.echo(f"Created project {row.name} ({row.id}).")


@cli.group()
def user():
    """Users."""


@user.command("create")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when omitted (keeps it out of the shell history).")
@click.option("--project", "project_name", required=True, help="Default project.")
@click.option("--role", type=ROLE, default="member", show_default=True,
              help="Role on the default project.")
def user_create(name, password, project_name, role):
    _require_schema()
    row = bootstrap.create_user(name, password, project_name, role)
    click.echo(f"Created user {row.name} ({row.id}) with role {role} on project "
               f"{project_name}.")


@cli.group()
def role():
    """Role assignments (roles: admin, member, reader)."""


@role.command("add")
@click.option("--user", "user_name", required=True)
@click.option("--project", "project_name", required=True)
@click.option("--role", "role_name", type=ROLE, required=True)
def role_add(user_name, project_name, role_name):
    _require_schema()
    bootstrap.add_role(user_name, project_name, role_name)
    click.echo(f"User {user_name} has role {role_name} on project {project_name}.")


@cli.command("bootstrap")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Where to write clouds.yaml. Default: [DEFAULT] data_dir.")
def bootstrap_accounts(data_dir):
    """Create the admin and demo accounts (once), write their clouds.yaml, and add the
    default flavors and images if the cloud has none."""
    _require_schema()
    seed.ensure_defaults()
    path = bootstrap.ensure_default_accounts(data_dir or CONF.data_dir)
    click.echo(f"Credentials for clouds godwit-admin and godwit-demo are in {path}")
    click.echo(f"Try: OS_CLIENT_CONFIG_FILE={path} openstack --os-cloud godwit-admin "
               "project list")


def main(argv=None):
    cli.main(args=argv, prog_name="godwit-manage")
