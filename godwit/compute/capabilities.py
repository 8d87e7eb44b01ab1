"""Which hypervisor capability applies to a host, and the default when none does.

The lookup order (doc/hypervisor-capabilities.md): the row of the host's exact
(hypervisor_type, hypervisor_version); else the first row of that type (the lowest id, i.e.
the oldest); else ``DEFAULT``. The API and the scheduler use the same ``CapabilityTable``,
so an operator's ``lookup`` shows exactly what the scheduler applies.
"""
from typing import NamedTuple

from godwit.db import capabilities as db

# What the virt drivers register as a host's hypervisor_type: "xen" (xenapi), "fake" (fake).
HYPERVISOR_TYPES = ("fake", "xen")

# The limits of a host whose hypervisor type has no row at all. 500 guests is high enough
# not to get in the way of a cloud that never configured capabilities (capacity filters
# still apply) yet bounds a host the operator forgot; security groups are enforced, as both
# drivers can (doc/security-groups.md). A created row takes these for any field it omits.
DEFAULT = {
    "max_guests_limit": 500,
    "security_group_enabled": True,
    "max_data_volumes_limit": 6,
    "storage_motion_supported": False,
}
LIMITS = tuple(DEFAULT)

EXACT, TYPE, FALLBACK = "exact", "type", "default"


class Applied(NamedTuple):
    """The capability that applies: ``row`` is None when ``source`` is ``"default"``."""
    source: str
    row: object

    def limit(self, name):
        return DEFAULT[name] if self.row is None else getattr(self.row, name)


class CapabilityTable:
    """Lookups over rows read once (in id order), e.g. once per scheduler cache refresh."""

    def __init__(self, rows):
        self._exact = {}
        self._first = {}
        for row in rows:
            self._exact[(row.hypervisor_type, row.hypervisor_version)] = row
            self._first.setdefault(row.hypervisor_type, row)

    def lookup(self, hypervisor_type, hypervisor_version):
        row = self._exact.get((hypervisor_type, hypervisor_version))
        if row is not None:
            return Applied(EXACT, row)
        row = self._first.get(hypervisor_type)
        return Applied(FALLBACK, None) if row is None else Applied(TYPE, row)


def lookup(hypervisor_type, hypervisor_version):
    """The capability that applies to one host, reading only the rows of its type."""
    rows = db.capability_list(hypervisor_type=hypervisor_type)
    return CapabilityTable(rows).lookup(hypervisor_type, hypervisor_version)


def table():
    """Every row, for callers that look up many hosts at once."""
    return CapabilityTable(db.capability_list())
