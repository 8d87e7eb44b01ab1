"""A whole all-in-one cloud, in this test process, shared by the tests of one module.

Tests isolate themselves by working in a project of their own (``cloud.new_member()``).
"""
import uuid

import pytest

from godwit.aio import AllInOne
from godwit.conf import CONF
from godwit.db import session
from tests.cloud import Cloud

OVERRIDES = {"report_interval": 1, "service_down_time": 10}
QUOTAS = ("instances", "cores", "ram")


@pytest.fixture(scope="module")
def aio(request, tmp_path_factory):
    """``AIO_OVERRIDES = {(option, group): value}`` in a test module configures its cloud;
    ``AIO_HOSTS = (hosts, pool hosts)`` sizes it (default 3 hosts, no pool); ``AIO_BMCS =
    True`` gives each host a virtual BMC (godwit.ha.lab)."""
    module_overrides = getattr(request.module, "AIO_OVERRIDES", {})
    for (name, group), value in module_overrides.items():
        CONF.set_override(name, value, group=group)
    data_dir = tmp_path_factory.mktemp("aio")
    CONF.set_override("data_dir", str(data_dir))
    CONF.set_override("control_exchange", f"godwit-{uuid.uuid4().hex[:8]}")
    for name, value in OVERRIDES.items():
        CONF.set_override(name, value)
    for name in QUOTAS:
        CONF.set_override(name, -1, group="quota")
    CONF.set_override("bind_host", "127.0.0.1", group="api")
    session.dispose()
    host_count, pool_hosts = getattr(request.module, "AIO_HOSTS", (3, 0))
    cloud = AllInOne(host_count=host_count, port=0, pool_hosts=pool_hosts,
                     bmcs=getattr(request.module, "AIO_BMCS", False))
    cloud.start()
    yield cloud
    cloud.stop()
    session.dispose()
    CONF.clear_default("public_endpoint", group="api")
    for name in ["data_dir", "control_exchange", *OVERRIDES]:
        CONF.clear_override(name)
    for name in QUOTAS:
        CONF.clear_override(name, group="quota")
    CONF.clear_override("bind_host", group="api")
    for name, group in module_overrides:
        CONF.clear_override(name, group=group)


@pytest.fixture(scope="module")
def cloud(aio):
    return Cloud(aio.base_url, aio.clouds_yaml)
