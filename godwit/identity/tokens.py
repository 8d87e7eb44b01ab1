"""Bearer tokens: random strings of which only the SHA-256 is stored.

Validation is one primary-key lookup (joined with the user and project rows), so it can run
on every API request; nothing is cached, so a revoked token is dead at once everywhere.
"""
import dataclasses
import datetime
import hashlib
import secrets
import uuid

from godwit import context, exception
from godwit.conf import CONF
from godwit.db import identity as db
from godwit.db import models


@dataclasses.dataclass(frozen=True)
class TokenInfo:
    """What a token says about its bearer; ``project_*`` are None when unscoped."""
    user_id: str
    user_name: str
    project_id: str | None
    project_name: str | None
    roles: tuple
    audit_id: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime


def _hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user, project=None, roles=(), expires_at=None):
    """Creates a token for ``user`` scoped to ``project`` (None: unscoped).

    ``expires_at`` caps the lifetime, so a token obtained with another token never
    outlives it. Returns ``(token, TokenInfo)``; the token string exists only there.
    """
    token = secrets.token_urlsafe(32)
    issued_at = models.utcnow()
    lifetime = issued_at + datetime.timedelta(seconds=CONF.identity.token_expiration)
    info = TokenInfo(
        user_id=user.id, user_name=user.name,
        project_id=project.id if project else None,
        project_name=project.name if project else None,
        roles=tuple(sorted(roles)), audit_id=uuid.uuid4().hex, issued_at=issued_at,
        expires_at=min(lifetime, expires_at) if expires_at else lifetime)
    db.token_create(_hash(token), info.user_id, info.project_id, list(info.roles), info.audit_id,
                    info.issued_at, info.expires_at)
    return token, info


def lookup(token):
    """The TokenInfo of a live token, or NotAuthenticated (unknown, expired or revoked)."""
    row = db.token_lookup(_hash(token), models.utcnow()) if token else None
    if row is None:
        raise exception.NotAuthenticated("The token is missing, invalid or expired.")
    return TokenInfo(user_id=row.user_id, user_name=row.user_name, project_id=row.project_id,
                     project_name=row.project_name, roles=tuple(row.roles),
                     audit_id=row.audit_id, issued_at=row.issued_at, expires_at=row.expires_at)


def to_context(info, request_id=None):
    return context.RequestContext(
        user_id=info.user_id, user_name=info.user_name, project_id=info.project_id,
        project_name=info.project_name, roles=list(info.roles),
        is_admin="admin" in info.roles, user_domain_id="default",
        project_domain_id="default" if info.project_id else None, request_id=request_id)


def validate(token, request_id=None):
    """RequestContext for the bearer of ``token``, or NotAuthenticated."""
    return to_context(lookup(token), request_id)


def revoke(token):
    """Deletes the token; False if it did not exist."""
    return db.token_delete(_hash(token))
