import pytest

from godwit import exception, seed
from godwit.compute import quota
from godwit.conf import CONF
from godwit.db import api as db

IMAGE = seed.DEFAULT_IMAGES[0][0]


@pytest.fixture
def flavor(sqlite_db):
    seed.ensure_defaults()
    return db.flavor_get("4")  # 4 vCPUs, 8192 MiB


def _use(project_id, count, flavor):
    for _ in range(count):
        db.instance_create(dict(display_name="x", project_id=project_id, user_id="u",
                                flavorid=flavor.flavorid, flavor_name=flavor.name,
                                image_ref=IMAGE, vcpus=flavor.vcpus, memory_mb=flavor.memory_mb,
                                root_gb=flavor.root_gb, vm_state="active"))


def test_cores_quota_counts_only_this_project(flavor):
    _use("p1", 5, flavor)  # 20 cores: the default cores quota
    with pytest.raises(exception.QuotaExceeded, match="cores"):
        quota.check_instances("p1", flavor, 1, {})
    quota.check_instances("p2", flavor, 1, {})


def test_unlimited_and_limits_document(flavor):
    _use("p1", 5, flavor)
    for name in ("cores", "ram"):
        CONF.set_override(name, -1, group="quota")
    try:
        quota.check_instances("p1", flavor, 5, {})
    finally:
        for name in ("cores", "ram"):
            CONF.clear_override(name, group="quota")
    limits = quota.limits("p1")
    assert (limits["totalInstancesUsed"], limits["totalCoresUsed"], limits["totalRAMUsed"]) \
        == (5, 20, 40960)


def test_too_many_metadata_items(flavor):
    with pytest.raises(exception.QuotaExceeded, match="metadata_items"):
        quota.check_instances("p1", flavor, 1, {str(i): "v" for i in range(129)})
