"""godwit-manage as an operator uses it: output lines, exit codes, rows in the database."""
import os
import stat

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from godwit.cmd import manage
from godwit.conf import CONF
from godwit.db import identity as db
from godwit.db import migration, session
from godwit.identity import auth


def run(*args, input=None):
    """Invokes godwit-manage, which parses the configuration itself as a new process does."""
    CONF.clear()
    return CliRunner().invoke(manage.cli, list(args), input=input)


@pytest.fixture(autouse=True)
def default_conf():
    yield
    session.dispose()
    CONF.clear_override("data_dir")
    CONF([], project="godwit")


@pytest.fixture
def synced(sqlite_db):
    assert run("db", "sync").exit_code == 0


def test_db_sync_is_idempotent_and_prints_the_revision(sqlite_db):
    first, second = run("db", "sync"), run("db", "sync")
    assert first.exit_code == second.exit_code == 0
    head = ScriptDirectory.from_config(migration.alembic_config()).get_current_head()
    assert first.output == second.output == f"Database schema is at revision {head}.\n"
    assert run("db", "version").output == f"{head}\n"


def test_project_user_and_role_commands(synced):
    result = run("project", "create", "ops", "--description", "Operations")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created project ops (")
    assert db.project_get_by_name("ops").description == "Operations"
    run("project", "create", "lab")

    result = run("user", "create", "ann", "--password", "pw1", "--project", "ops")
    assert result.exit_code == 0, result.output
    ann = auth.authenticate_password({"name": "ann", "domain": {"id": "default"}}, "pw1")
    assert auth.scope(ann)[1] == ["member"]

    result = run("role", "add", "--user", "ann", "--project", "lab", "--role", "reader")
    assert result.exit_code == 0, result.output
    assert db.role_names(ann.id, db.project_get_by_name("lab").id) == ["reader"]


def test_password_is_prompted_for_when_omitted(synced):
    run("project", "create", "ops")
    result = run("user", "create", "ann", "--project", "ops", "--role", "admin",
                 input="s3cret\ns3cret\n")
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    ann = auth.authenticate_password({"name": "ann", "domain": {"id": "default"}}, "s3cret")
    assert auth.scope(ann)[1] == ["admin"]


@pytest.mark.parametrize("args, message", [
    (("project", "create", "dup"), "Error: Project dup already exists."),
    (("user", "create", "x", "--password", "p", "--project", "nope"),
     "Error: Project nope could not be found."),
    (("role", "add", "--user", "nobody", "--project", "dup", "--role", "member"),
     "Error: User nobody could not be found."),
])
def test_errors_are_one_line_and_exit_1(synced, args, message):
    run("project", "create", "dup")
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.strip() == message


def test_unknown_role_is_refused_by_the_command_line(synced):
    result = run("role", "add", "--user", "u", "--project", "p", "--role", "owner")
    assert result.exit_code == 2
    assert "'owner' is not one of 'admin', 'member', 'reader'" in result.output


def test_commands_on_an_empty_database_ask_for_db_sync(tmp_path):
    result = run("--data-dir", str(tmp_path), "project", "create", "x")
    assert result.exit_code == 1
    assert "run 'godwit-manage db sync' first" in result.output


def test_bootstrap_writes_clouds_yaml_and_says_where(synced, tmp_path):
    result = run("bootstrap", "--data-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "clouds.yaml"
    assert str(path) in result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    admin = db.user_get_by_name("admin")
    assert run("bootstrap", "--data-dir", str(tmp_path)).exit_code == 0
    assert db.user_get_by_name("admin").password_hash == admin.password_hash


def test_config_file_is_read(synced, tmp_path):
    conf = tmp_path / "godwit.conf"
    conf.write_text(f"[DEFAULT]\ndata_dir = {tmp_path / 'from-conf'}\n")
    result = run("--config-file", str(conf), "bootstrap")
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "from-conf" / "clouds.yaml") in result.output
