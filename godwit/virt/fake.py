"""An in-memory hypervisor for tests, scale runs and the all-in-one.

Capacity comes from ``[compute] fake_*`` options, overridden per host by
``[compute] fake_capacity`` entries of the form ``HOST:VCPUS/MEMORY_MB/DISK_GB``.
"""
import threading
import time

from godwit.compute import states
from godwit.conf import CONF
from godwit.virt import driver


def parse_capacity(entries):
    """``["h1:4/8192/100"]`` -> ``{"h1": {"vcpus": 4, "memory_mb": 8192, "disk_gb": 100}}``."""
    result = {}
    for entry in entries:
        host, _, sizes = entry.partition(":")
        vcpus, memory_mb, disk_gb = (int(part) for part in sizes.split("/"))
        result[host] = {"vcpus": vcpus, "memory_mb": memory_mb, "disk_gb": disk_gb}
    return result


class FakeDriver(driver.ComputeDriver):
    hypervisor_type = "fake"

    def __init__(self, host):
        super().__init__(host)
        self._lock = threading.Lock()
        self.instances = {}

    def get_host_info(self):
        capacity = {"vcpus": CONF.compute.fake_vcpus, "memory_mb": CONF.compute.fake_memory_mb,
                    "disk_gb": CONF.compute.fake_disk_gb}
        capacity.update(parse_capacity(CONF.compute.fake_capacity).get(self.host, {}))
        return dict(capacity, hypervisor_version=CONF.compute.fake_hypervisor_version,
                    address="127.0.0.1")

    def list_instances(self):
        with self._lock:
            return list(self.instances)

    def spawn(self, instance, image):
        if CONF.compute.fake_spawn_seconds:
            time.sleep(CONF.compute.fake_spawn_seconds)
        with self._lock:
            self.instances.setdefault(instance.uuid, states.RUNNING)

    def destroy(self, instance):
        with self._lock:
            self.instances.pop(instance.uuid, None)

    def _set_power(self, instance, power_state):
        with self._lock:
            if instance.uuid not in self.instances:
                raise RuntimeError(f"instance {instance.uuid} is not on host {self.host}")
            self.instances[instance.uuid] = power_state

    def power_on(self, instance):
        self._set_power(instance, states.RUNNING)

    def power_off(self, instance):
        self._set_power(instance, states.SHUTDOWN)

    def reboot(self, instance, hard):
        self._set_power(instance, states.RUNNING)

    def get_power_state(self, instance):
        with self._lock:
            return self.instances.get(instance.uuid, states.NOSTATE)
