"""Queries for the identity tables: projects, users, role assignments and tokens."""
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from godwit import exception
from godwit.db import models
from godwit.db.session import reader, writer

# --- projects --------------------------------------------------------------------------------


def project_create(name, description=None):
    try:
        with writer() as session:
            project = models.Project(name=name, description=description)
            session.add(project)
            session.flush()
            return project
    except IntegrityError:
        raise exception.DuplicateEntry(what="Project", name=name) from None


def project_get(project_id):
    with reader() as session:
        project = session.get(models.Project, project_id)
    if project is None:
        raise exception.ProjectNotFound(project=project_id)
    return project


def project_get_by_name(name):
    with reader() as session:
        project = session.scalars(select(models.Project).where(
            models.Project.name == name)).first()
    if project is None:
        raise exception.ProjectNotFound(project=name)
    return project


def project_list(name=None):
    query = select(models.Project).order_by(models.Project.name)
    if name is not None:
        query = query.where(models.Project.name == name)
    with reader() as session:
        return list(session.scalars(query))


def project_list_for_user(user_id, name=None):
    """Projects on which the user has at least one role."""
    query = (select(models.Project).where(models.Project.id.in_(
        select(models.RoleAssignment.project_id).where(
            models.RoleAssignment.user_id == user_id))).order_by(models.Project.name))
    if name is not None:
        query = query.where(models.Project.name == name)
    with reader() as session:
        return list(session.scalars(query))

# --- users -----------------------------------------------------------------------------------


def user_create(name, password_hash, default_project_id=None, role=None):
    """Creates a user and, in the same transaction, grants ``role`` on the default project."""
    try:
        with writer() as session:
            user = models.User(name=name, password_hash=password_hash,
                               default_project_id=default_project_id)
            session.add(user)
            session.flush()
            if role is not None:
                session.add(models.RoleAssignment(user_id=user.id, project_id=default_project_id,
                                                  role=role))
            return user
    except IntegrityError:
        raise exception.DuplicateEntry(what="User", name=name) from None


def user_get(user_id):
    with reader() as session:
        user = session.get(models.User, user_id)
    if user is None:
        raise exception.UserNotFound(user=user_id)
    return user


def user_get_by_name(name):
    with reader() as session:
        user = session.scalars(select(models.User).where(models.User.name == name)).first()
    if user is None:
        raise exception.UserNotFound(user=name)
    return user


# --- role assignments ------------------------------------------------------------------------


def role_assignment_add(user_id, project_id, role):
    """Grants ``role``; granting a role the user already has changes nothing."""
    ra = models.RoleAssignment
    with writer() as session:
        exists = session.scalars(select(ra.id).where(
            ra.user_id == user_id, ra.project_id == project_id, ra.role == role)).first()
        if exists is None:
            session.add(ra(user_id=user_id, project_id=project_id, role=role))


def role_names(user_id, project_id):
    ra = models.RoleAssignment
    with reader() as session:
        return sorted(session.scalars(select(ra.role).where(
            ra.user_id == user_id, ra.project_id == project_id)))

# --- tokens ----------------------------------------------------------------------------------


def token_create(id_hash, user_id, project_id, roles, audit_id, issued_at, expires_at):
    """Stores a token and, in the same transaction, deletes every expired one."""
    with writer() as session:
        session.execute(delete(models.Token).where(models.Token.expires_at <= issued_at))
        session.add(models.Token(id_hash=id_hash, user_id=user_id, project_id=project_id,
                                 roles=roles, audit_id=audit_id, issued_at=issued_at,
                                 expires_at=expires_at))


def _live_token_query():
    token, user, project = models.Token, models.User, models.Project
    return (select(token.roles, token.audit_id, token.issued_at, token.expires_at,
                   user.id.label("user_id"), user.name.label("user_name"),
                   project.id.label("project_id"), project.name.label("project_name"))
            .join(user, user.id == token.user_id)
            .outerjoin(project, project.id == token.project_id)
            .where(token.id_hash == bindparam("id_hash"), token.expires_at > bindparam("now"),
                   user.enabled.is_(True))
            .where((token.project_id.is_(None)) | project.enabled.is_(True)))


_LIVE_TOKEN = _live_token_query()


def token_lookup(id_hash, now):
    """A live token's row, else None: one primary-key query, run on every API request.

    Columns: roles, audit_id, issued_at, expires_at, user_id, user_name, project_id,
    project_name (both None for an unscoped token). A token dies with its expiry, its
    user being disabled, or its project being disabled.
    """
    with reader() as session:
        return session.execute(_LIVE_TOKEN, {"id_hash": id_hash, "now": now}).first()


def token_delete(id_hash):
    with writer() as session:
        return session.execute(delete(models.Token).where(
            models.Token.id_hash == id_hash)).rowcount == 1
