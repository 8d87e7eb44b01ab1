from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer


def _add(version, limit):
    with writer() as session:
        session.add(models.HypervisorCapability(hypervisor_type="XenServer",
                                                hypervisor_version=version,
                                                max_guests_limit=limit))


def test_exact_version_then_first_of_type_then_default(sqlite_db):
    _add("6.5.0", 500)
    _add("7.1.0", 1000)
    assert db.hypervisor_capabilities_get("XenServer", "7.1.0")["max_guests_limit"] == 1000
    assert db.hypervisor_capabilities_get("XenServer", "8.2.1")["max_guests_limit"] == 500
    assert db.hypervisor_capabilities_get("KVM", "1") == db.DEFAULT_CAPABILITIES
