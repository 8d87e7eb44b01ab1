"""A compute worker records its hypervisor version at every start."""
from godwit.compute import capabilities
from godwit.compute.manager import ComputeManager
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import capabilities as capability_db


def _start_worker(version):
    CONF.set_override("fake_hypervisor_version", version, group="compute")
    try:
        ComputeManager("hv1", "fake").init_host()
    finally:
        CONF.clear_override("fake_hypervisor_version", group="compute")


def test_a_restart_with_a_new_version_updates_the_host_and_its_capability(sqlite_db):
    for version, limit in (("8.2.1", 10), ("8.3.0", 20)):
        capability_db.capability_create(dict(capabilities.DEFAULT, hypervisor_type="fake",
                                             hypervisor_version=version,
                                             max_guests_limit=limit))
    _start_worker("8.2.1")
    host = db.host_get("hv1")
    assert (host.hypervisor_type, host.hypervisor_version) == ("fake", "8.2.1")

    _start_worker("8.3.0")
    host = db.host_get("hv1")
    assert host.hypervisor_version == "8.3.0"
    assert [h.name for h in db.host_list()] == ["hv1"]
    applied = capabilities.lookup(host.hypervisor_type, host.hypervisor_version)
    assert (applied.source, applied.limit("max_guests_limit")) == ("exact", 20)
