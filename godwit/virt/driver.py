"""The interface between a compute worker and the hypervisor it owns.

The compute manager sees nothing else of a hypervisor. Every method must be idempotent:
the manager retries steps after a crash without knowing how far the last attempt got.
"""
import abc


class ComputeDriver(abc.ABC):
    hypervisor_type = None

    def __init__(self, host):
        self.host = host

    def init_host(self):
        """Connects to the hypervisor; called once before the worker takes work."""

    @abc.abstractmethod
    def get_host_info(self):
        """Capacity and identity: vcpus, memory_mb, disk_gb, hypervisor_version, address."""

    @abc.abstractmethod
    def list_instances(self):
        """UUIDs of the instances present on this host."""

    @abc.abstractmethod
    def spawn(self, instance, image):
        """Creates and boots the instance; succeeds quietly if it already runs."""

    @abc.abstractmethod
    def destroy(self, instance):
        """Removes the instance and its disks; succeeds quietly if it is absent."""

    @abc.abstractmethod
    def power_on(self, instance):
        pass

    @abc.abstractmethod
    def power_off(self, instance):
        pass

    @abc.abstractmethod
    def reboot(self, instance, hard):
        pass

    @abc.abstractmethod
    def get_power_state(self, instance):
        """One of godwit.compute.states' power states (NOSTATE if absent)."""


def load_driver(name, host):
    from godwit.virt import fake
    drivers = {"fake": fake.FakeDriver}
    return drivers[name](host)
