"""Creating projects, users and role assignments (godwit-manage and the all-in-one)."""
import os
import secrets

import yaml
from oslo_log import log as logging

from godwit import exception
from godwit.conf import CONF
from godwit.db import identity as db
from godwit.db import models
from godwit.identity import catalog, passwords

LOG = logging.getLogger(__name__)

# (cloud name in clouds.yaml, user, project, role)
DEFAULT_ACCOUNTS = (
    ("godwit-admin", "admin", "admin", "admin"),
    ("godwit-demo", "demo", "demo", "member"),
)


def _check_role(role):
    if role not in models.ROLES:
        raise exception.Invalid(reason=f"Unknown role {role!r}; roles are "
                                       f"{', '.join(models.ROLES)}.")


def create_project(name, description=None):
    return db.project_create(name, description)


def create_user(name, password, project_name, role="member"):
    """Creates a user whose default project is ``project_name``, with ``role`` on it."""
    _check_role(role)
    project = db.project_get_by_name(project_name)
    return db.user_create(name, passwords.hash_password(password), project.id, role)


def add_role(user_name, project_name, role):
    _check_role(role)
    user = db.user_get_by_name(user_name)
    project = db.project_get_by_name(project_name)
    db.role_assignment_add(user.id, project.id, role)


def ensure_default_accounts(data_dir):
    """Makes sure the ``admin`` and ``demo`` accounts exist; returns the clouds.yaml path.

    Passwords are generated when a user is created and kept only in
    ``<data_dir>/clouds.yaml`` (mode 0600). Later runs keep existing users untouched and
    read their passwords back from that file; other clouds in it are preserved.
    """
    path = os.path.join(data_dir, "clouds.yaml")
    document = _read_yaml(path)
    clouds = document.setdefault("clouds", {})
    for cloud, user_name, project_name, role in DEFAULT_ACCOUNTS:
        password = _ensure_account(user_name, project_name, role,
                                   _stored_password(clouds.get(cloud), user_name))
        if password is None:
            LOG.warning("User %s exists but %s has no password for it; leaving cloud %s out.",
                        user_name, path, cloud)
            clouds.pop(cloud, None)
        else:
            clouds[cloud] = _cloud(user_name, password, project_name)
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    _write_private(path, yaml.safe_dump(document, default_flow_style=False, sort_keys=False))
    return path


def _ensure_account(user_name, project_name, role, known_password):
    """The account's password: ``known_password`` if the user exists, else a new one."""
    try:
        project = db.project_get_by_name(project_name)
    except exception.ProjectNotFound:
        project = db.project_create(project_name, f"Created by godwit for the {user_name} user.")
    try:
        db.user_get_by_name(user_name)
    except exception.UserNotFound:
        password = secrets.token_urlsafe(18)
        db.user_create(user_name, passwords.hash_password(password), project.id, role)
        return password
    return known_password


def _stored_password(cloud, user_name):
    auth = (cloud or {}).get("auth") or {}
    return auth.get("password") if auth.get("username") == user_name else None


def _cloud(user_name, password, project_name):
    return {
        "auth": {
            "auth_url": catalog.identity_url() + "/v3",
            "username": user_name,
            "password": password,
            "project_name": project_name,
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        "region_name": CONF.identity.region,
        "identity_api_version": 3,
    }


def _read_yaml(path):
    try:
        with open(path, encoding="utf-8") as f:
            document = yaml.safe_load(f)
    except FileNotFoundError:
        return {}
    if document is None:
        return {}
    if not isinstance(document, dict) or not isinstance(document.get("clouds", {}), dict):
        raise exception.Invalid(reason=f"{path} is not a clouds.yaml file.")
    return document


def _write_private(path, text):
    """Replaces ``path`` atomically by a file only its owner can read."""
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
