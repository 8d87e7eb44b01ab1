import datetime
import hashlib

import pytest
from sqlalchemy import select, update

from godwit import exception
from godwit.conf import CONF
from godwit.db import identity as db
from godwit.db import models
from godwit.db.session import reader, writer
from godwit.identity import tokens


def _issue(user):
    project = db.project_get_by_name("p1")
    return tokens.issue(user, project, db.role_names(user.id, project.id))


def _stored_tokens():
    with reader() as session:
        return list(session.scalars(select(models.Token)))


def _at(monkeypatch, moment):
    monkeypatch.setattr(models, "utcnow", lambda: moment)


def test_only_the_sha256_of_a_token_is_stored(alice):
    token, info = _issue(alice)
    [row] = _stored_tokens()
    assert row.id_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(vars(row))
    assert len(token) >= 43
    assert info.expires_at - info.issued_at == datetime.timedelta(
        seconds=CONF.identity.token_expiration)


def test_validate_gives_the_bearers_context(alice):
    token, _ = _issue(alice)
    context = tokens.validate(token, request_id="req-42")
    assert (context.user_id, context.user_name) == (alice.id, "alice")
    assert context.project_id == alice.default_project_id
    assert context.project_name == "p1"
    assert context.roles == ["member"]
    assert context.request_id == "req-42"
    assert not context.is_admin


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_missing_or_unknown_token_is_not_authenticated(alice, token):
    with pytest.raises(exception.NotAuthenticated):
        tokens.validate(token)


def test_token_expires_after_token_expiration(alice, monkeypatch):
    token, info = _issue(alice)
    _at(monkeypatch, info.expires_at - datetime.timedelta(seconds=1))
    assert tokens.validate(token).user_id == alice.id
    _at(monkeypatch, info.expires_at)
    with pytest.raises(exception.NotAuthenticated):
        tokens.validate(token)


def test_revoked_token_is_dead(alice):
    token, _ = _issue(alice)
    assert tokens.revoke(token)
    with pytest.raises(exception.NotAuthenticated):
        tokens.validate(token)
    assert not tokens.revoke(token)


def test_disabling_the_user_kills_their_tokens(alice):
    token, _ = _issue(alice)
    with writer() as session:
        session.execute(update(models.User).where(models.User.id == alice.id)
                        .values(enabled=False))
    with pytest.raises(exception.NotAuthenticated):
        tokens.validate(token)


def test_a_token_never_outlives_the_cap_it_was_given(alice):
    parent, parent_info = _issue(alice)
    _, child = tokens.issue(alice, db.project_get_by_name("p1"), ["member"],
                            expires_at=parent_info.issued_at + datetime.timedelta(seconds=5))
    assert child.expires_at == parent_info.issued_at + datetime.timedelta(seconds=5)


def test_issuing_deletes_expired_tokens(alice, monkeypatch):
    _, old = _issue(alice)
    _at(monkeypatch, old.expires_at + datetime.timedelta(seconds=1))
    fresh, _ = _issue(alice)
    assert [row.id_hash for row in _stored_tokens()] == [
        hashlib.sha256(fresh.encode()).hexdigest()]
