"""The figures the mem and load node selectors rank by: recorded when a worker registers
its host and refreshed by the periodic reconcile (here with the fake driver)."""
import types

from godwit.compute import resource_tracker, states
from godwit.db import api as db
from godwit.virt.fake import FakeDriver


def test_the_fake_host_reports_its_running_vms_as_load(sqlite_db):
    driver = FakeDriver("hv-1")
    driver.init_host()
    resource_tracker.register_host(driver)
    assert db.host_get("hv-1").load_average == 0.0
    image = types.SimpleNamespace(uuid="img")
    vms = [types.SimpleNamespace(uuid=f"vm-{index}") for index in range(3)]
    for instance in vms:
        driver.spawn(instance, image)
    driver.hard_power_off(vms[0])
    resource_tracker.report_load(driver)
    host = db.host_get("hv-1")
    assert (host.load_average, host.memory_free_mb) == (2.0, None)
    assert driver.get_power_state(vms[1]) == states.RUNNING
