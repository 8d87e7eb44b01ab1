"""A graceful stop abandoned for a start, through the HTTP API of an in-process all-in-one
whose guest ignores the shutdown request."""
import os
import time

from godwit.compute import states
from godwit.db import api as db
from godwit.virt import fake

# Long enough that only the start can end the stop within the test's waits.
AIO_OVERRIDES = {("shutdown_timeout", "compute"): 600}


def _driver(aio, host):
    (manager,) = [svc.manager for svc in aio.services
                  if getattr(svc, "binary", None) == "godwit-compute" and svc.host == host]
    return manager.driver


def _wait(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.05)


def test_start_during_a_stop_the_guest_ignores_keeps_the_server_active(aio, cloud):
    user = cloud.new_member()
    server_id = user.create_server("stubborn", image=cloud.image_id())
    user.wait_for_status(server_id, "ACTIVE")
    driver = _driver(aio, db.instance_get(server_id).host)
    driver.set_guest_shutdown(server_id, None)
    url = f"/v2.1/servers/{server_id}/action"

    assert user.post(url, json={"os-stop": None}).status_code == 202
    requested = os.path.join(driver.path, server_id, fake.SHUTDOWN_REQUESTED)
    _wait(lambda: os.path.exists(requested), "the worker to ask the guest to shut down")
    stopping = user.get(f"/v2.1/servers/{server_id}").json()["server"]
    assert stopping["OS-EXT-STS:task_state"] == "powering-off"
    assert user.post(url, json={"os-stop": None}).status_code == 409

    assert user.post(url, json={"os-start": None}).status_code == 202

    def settled():
        server = user.get(f"/v2.1/servers/{server_id}").json()["server"]
        return server["OS-EXT-STS:task_state"] is None

    _wait(settled, "the start to finish")
    server = user.get(f"/v2.1/servers/{server_id}").json()["server"]
    assert (server["status"], server["OS-EXT-STS:power_state"]) == ("ACTIVE", 1)
    assert "fault" not in server
    assert driver.get_power_state(db.instance_get(server_id)) == states.RUNNING
    assert user.delete(f"/v2.1/servers/{server_id}").status_code == 204
