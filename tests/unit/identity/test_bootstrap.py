import os
import stat

import pytest
import yaml

from godwit import exception
from godwit.conf import CONF
from godwit.db import identity as db
from godwit.identity import auth, bootstrap

CLOUDS = {"godwit-admin": ("admin", "admin", ["admin"]),
          "godwit-demo": ("demo", "demo", ["member"])}


def _clouds(path):
    with open(path) as f:
        return yaml.safe_load(f)["clouds"]


@pytest.fixture
def endpoint():
    CONF.set_override("public_endpoint", "http://203.0.113.9:8774", group="api")
    yield
    CONF.clear_override("public_endpoint", group="api")


def test_first_start_creates_accounts_and_a_private_clouds_yaml(sqlite_db, tmp_path, endpoint):
    path = bootstrap.ensure_default_accounts(str(tmp_path / "data"))
    assert path == str(tmp_path / "data" / "clouds.yaml")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    clouds = _clouds(path)
    assert set(clouds) == set(CLOUDS)
    for name, (user_name, project_name, roles) in CLOUDS.items():
        cloud = clouds[name]
        assert cloud["region_name"] == "RegionOne"
        assert cloud["identity_api_version"] == 3
        assert cloud["auth"] == {
            "auth_url": "http://203.0.113.9:8774/identity/v3", "username": user_name,
            "password": cloud["auth"]["password"], "project_name": project_name,
            "user_domain_name": "Default", "project_domain_name": "Default"}
        user = auth.authenticate_password({"name": user_name, "domain": {"name": "Default"}},
                                          cloud["auth"]["password"])
        project, granted = auth.scope(user)
        assert (project.name, granted) == (project_name, roles)
    assert clouds["godwit-admin"]["auth"]["password"] != clouds["godwit-demo"]["auth"]["password"]


def test_later_starts_keep_users_and_passwords(sqlite_db, tmp_path):
    path = bootstrap.ensure_default_accounts(str(tmp_path))
    first = _clouds(path)
    admin = db.user_get_by_name("admin")
    assert bootstrap.ensure_default_accounts(str(tmp_path)) == path
    assert _clouds(path) == first
    again = db.user_get_by_name("admin")
    assert (again.id, again.password_hash) == (admin.id, admin.password_hash)
    assert [p.name for p in db.project_list()] == ["admin", "demo"]


def test_other_clouds_in_the_file_are_preserved(sqlite_db, tmp_path):
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"elsewhere": {"auth": {"auth_url": "x"}}}}))
    bootstrap.ensure_default_accounts(str(tmp_path))
    assert set(_clouds(path)) == {"elsewhere", *CLOUDS}


def test_existing_users_without_a_known_password_are_left_alone(sqlite_db, tmp_path):
    path = bootstrap.ensure_default_accounts(str(tmp_path))
    demo_password = _clouds(path)["godwit-demo"]["auth"]["password"]
    admin_hash = db.user_get_by_name("admin").password_hash
    with open(path) as f:
        document = yaml.safe_load(f)
    del document["clouds"]["godwit-admin"]
    with open(path, "w") as f:
        yaml.safe_dump(document, f)
    bootstrap.ensure_default_accounts(str(tmp_path))
    clouds = _clouds(path)
    assert set(clouds) == {"godwit-demo"}
    assert clouds["godwit-demo"]["auth"]["password"] == demo_password
    assert db.user_get_by_name("admin").password_hash == admin_hash


def test_a_file_that_is_not_clouds_yaml_is_refused(sqlite_db, tmp_path):
    (tmp_path / "clouds.yaml").write_text("- just\n- a list\n")
    with pytest.raises(exception.Invalid):
        bootstrap.ensure_default_accounts(str(tmp_path))


def test_create_user_checks_role_project_and_name(sqlite_db):
    bootstrap.create_project("p1")
    with pytest.raises(exception.Invalid, match="Unknown role 'owner'"):
        bootstrap.create_user("u", "pw", "p1", "owner")
    with pytest.raises(exception.ProjectNotFound):
        bootstrap.create_user("u", "pw", "nope")
    bootstrap.create_user("u", "pw", "p1")
    with pytest.raises(exception.DuplicateEntry):
        bootstrap.create_user("u", "pw", "p1")
    with pytest.raises(exception.DuplicateEntry):
        bootstrap.create_project("p1")


def test_add_role_is_idempotent(sqlite_db):
    bootstrap.create_project("p1")
    bootstrap.create_project("p2")
    user = bootstrap.create_user("u", "pw", "p1", "reader")
    bootstrap.add_role("u", "p2", "admin")
    bootstrap.add_role("u", "p2", "admin")
    assert db.role_names(user.id, db.project_get_by_name("p2").id) == ["admin"]
    assert [p.name for p in db.project_list_for_user(user.id)] == ["p1", "p2"]
    with pytest.raises(exception.UserNotFound):
        bootstrap.add_role("nobody", "p1", "member")
