"""Queries for ``hypervisor_capabilities``: rows are named by uuid, and (hypervisor_type,
hypervisor_version) is unique, so a duplicate is a 409 whether the check or the unique
constraint catches it. Which row applies to a host is godwit.compute.capabilities' job.
"""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from godwit import exception
from godwit.db import models
from godwit.db.session import reader, writer

_Row = models.HypervisorCapability


def _not_found(uuid):
    return exception.NotFound(f"Hypervisor capability {uuid} could not be found.")


def _duplicate(values):
    return exception.DuplicateEntry(
        what="Hypervisor capability",
        name=f"{values['hypervisor_type']} {values['hypervisor_version']}")


def _check_unique(session, values, uuid=None):
    query = select(_Row.uuid).where(_Row.hypervisor_type == values["hypervisor_type"],
                                    _Row.hypervisor_version == values["hypervisor_version"])
    if uuid is not None:
        query = query.where(_Row.uuid != uuid)
    if session.scalar(query) is not None:
        raise _duplicate(values)


def _flush(session, values):
    """Flushes; a concurrent writer of the same pair loses on the constraint, as a 409."""
    try:
        session.flush()
    except IntegrityError:
        raise _duplicate(values) from None


def capability_create(values):
    with writer() as session:
        _check_unique(session, values)
        row = _Row(**values)
        session.add(row)
        _flush(session, values)
        return row


def _row(session, uuid):
    row = session.scalars(select(_Row).where(_Row.uuid == uuid)).first()
    if row is None:
        raise _not_found(uuid)
    return row


def capability_get(uuid):
    with reader() as session:
        return _row(session, uuid)


def capability_list(hypervisor_type=None, hypervisor_version=None):
    """Rows in creation order (lowest id first), optionally of one type and/or version."""
    query = select(_Row).order_by(_Row.id)
    if hypervisor_type is not None:
        query = query.where(_Row.hypervisor_type == hypervisor_type)
    if hypervisor_version is not None:
        query = query.where(_Row.hypervisor_version == hypervisor_version)
    with reader() as session:
        return list(session.scalars(query))


def capability_update(uuid, values):
    with writer() as session:
        row = _row(session, uuid)
        pair = {name: values.get(name, getattr(row, name))
                for name in ("hypervisor_type", "hypervisor_version")}
        _check_unique(session, pair, uuid)
        for key, value in values.items():
            setattr(row, key, value)
        _flush(session, pair)
        return row


def capability_delete(uuid):
    with writer() as session:
        session.delete(_row(session, uuid))
