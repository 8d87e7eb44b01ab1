"""Who is asking (password check) and for which project (scope).

Every failure is the same NotAuthenticated, so a caller cannot tell an unknown user from a
wrong password or a project it may not use from one that does not exist.
"""
from godwit import exception
from godwit.db import identity as db
from godwit.identity import passwords

DEFAULT_DOMAIN = {"id": "default", "name": "Default"}


def _failed():
    return exception.NotAuthenticated("The request you have made requires authentication.")


def in_default_domain(domain_ref):
    """Whether ``{"id": ...}`` or ``{"name": ...}`` names the only domain, ``Default``."""
    if "id" in domain_ref:
        return domain_ref["id"] == DEFAULT_DOMAIN["id"]
    return domain_ref.get("name", "").lower() == DEFAULT_DOMAIN["id"]


def _find(ref, by_id, by_name):
    """The row named by ``ref`` (``id``, or ``name`` + ``domain``), else None."""
    try:
        if "id" in ref:
            return by_id(ref["id"])
        if in_default_domain(ref.get("domain", {})):
            return by_name(ref["name"])
    except exception.NotFound:
        pass
    return None


def authenticate_password(user_ref, password):
    """The enabled user ``user_ref`` names if ``password`` is theirs; else NotAuthenticated."""
    user = _find(user_ref, db.user_get, db.user_get_by_name)
    if user is None:
        passwords.burn_time(password)
        raise _failed()
    if not passwords.verify_password(password, user.password_hash) or not user.enabled:
        raise _failed()
    return user


def scope(user, project_ref=None):
    """``(project, roles)`` for the token ``user`` asked for.

    With no ``project_ref`` the user's default project is used if they still have a role
    on it; otherwise ``(None, [])``: an unscoped token.
    """
    if project_ref is None:
        return _default_scope(user)
    project = _find(project_ref, db.project_get, db.project_get_by_name)
    roles = db.role_names(user.id, project.id) if project and project.enabled else []
    if not roles:
        raise exception.NotAuthenticated(
            "The user has no role on the requested project, or it does not exist.")
    return project, roles


def _default_scope(user):
    if user.default_project_id is None:
        return None, []
    project = db.project_get(user.default_project_id)
    roles = db.role_names(user.id, project.id) if project.enabled else []
    return (project, roles) if roles else (None, [])
