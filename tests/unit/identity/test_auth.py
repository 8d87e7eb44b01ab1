import pytest
from sqlalchemy import delete, update

from godwit import exception
from godwit.db import models
from godwit.db.session import writer
from godwit.identity import auth, bootstrap

DEFAULT = {"name": "Default"}


@pytest.mark.parametrize("user_ref", [
    {"name": "alice", "domain": {"name": "Default"}},
    {"name": "alice", "domain": {"name": "default"}},
    {"name": "alice", "domain": {"id": "default"}},
    "by-id",
])
def test_password_authenticates_user_named_any_supported_way(alice, user_ref):
    user_ref = {"id": alice.id} if user_ref == "by-id" else user_ref
    assert auth.authenticate_password(user_ref, "secret").id == alice.id


@pytest.mark.parametrize("user_ref, password", [
    ({"name": "alice", "domain": DEFAULT}, "wrong"),
    ({"name": "nobody", "domain": DEFAULT}, "secret"),
    ({"id": "0" * 32}, "secret"),
    ({"name": "alice", "domain": {"name": "Other"}}, "secret"),
    ({"name": "alice", "domain": {"id": "other"}}, "secret"),
])
def test_every_failure_looks_the_same(alice, user_ref, password):
    with pytest.raises(exception.NotAuthenticated) as err:
        auth.authenticate_password(user_ref, password)
    assert err.value.message == "The request you have made requires authentication."


def test_disabled_user_cannot_authenticate(alice):
    with writer() as session:
        session.execute(update(models.User).values(enabled=False))
    with pytest.raises(exception.NotAuthenticated):
        auth.authenticate_password({"id": alice.id}, "secret")


def test_scope_to_a_project_gives_the_roles_there(alice):
    bootstrap.add_role("alice", "p1", "reader")
    project, roles = auth.scope(alice, {"name": "p1", "domain": DEFAULT})
    assert (project.name, roles) == ("p1", ["member", "reader"])
    assert auth.scope(alice, {"id": project.id})[0].id == project.id


@pytest.mark.parametrize("project_ref", [
    {"name": "p2", "domain": DEFAULT},
    {"name": "missing", "domain": DEFAULT},
    {"name": "p1", "domain": {"name": "Other"}},
])
def test_scope_needs_a_role_on_an_existing_project(alice, project_ref):
    bootstrap.create_project("p2")
    with pytest.raises(exception.NotAuthenticated):
        auth.scope(alice, project_ref)


def test_no_scope_means_the_default_project_if_the_user_still_has_a_role_there(alice):
    project, roles = auth.scope(alice)
    assert (project.name, roles) == ("p1", ["member"])
    bootstrap.create_project("p2")
    bob = bootstrap.create_user("bob", "pw", "p2", "reader")
    with writer() as session:
        session.execute(delete(models.RoleAssignment).where(
            models.RoleAssignment.user_id == bob.id))
    assert auth.scope(bob) == (None, [])
