"""Host claims are one conditional UPDATE: racing claims can never oversubscribe a host."""
from concurrent.futures import ThreadPoolExecutor

from godwit.db import api as db
from godwit.db.session import writer


def _host(vcpus=4, memory_mb=4096, disk_gb=100):
    db.host_register("h1", dict(hypervisor_type="fake", hypervisor_version="1", vcpus=vcpus,
                                memory_mb=memory_mb, disk_gb=disk_gb, cpu_allocation_ratio=1.0,
                                ram_allocation_ratio=1.0, disk_allocation_ratio=1.0))


def _claim(_):
    with writer() as session:
        return db.host_claim(session, "h1", 1, 512, 10)


def test_concurrent_claims_stop_at_capacity(any_db):
    _host(vcpus=4)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(_claim, range(12)))
    host = db.host_get("h1")
    assert results.count(True) == 4
    assert (host.vcpus_used, host.memory_mb_used, host.running_vms) == (4, 2048, 4)


def test_release_gives_capacity_back(sqlite_db):
    _host(vcpus=1)
    assert _claim(None)
    assert not _claim(None)
    with writer() as session:
        db.host_release(session, "h1", 1, 512, 10)
    assert _claim(None)
