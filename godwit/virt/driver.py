"""The interface between a compute worker and the hypervisor it owns.

The compute manager sees nothing else of a hypervisor. Every method must be idempotent:
the manager retries steps after a crash without knowing how far the last attempt got.
``list_instances`` names every instance with anything on this host, migration leftovers
included, so the reconciler can remove what no instance or migration owns.
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
        """UUIDs of the instances with a VM, an original or received disks on this host."""

    @abc.abstractmethod
    def spawn(self, instance, image):
        """Creates and boots the instance; succeeds quietly if it already runs."""

    @abc.abstractmethod
    def destroy(self, instance):
        """Removes the instance, its disks and any migration leftovers; quiet if absent."""

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
    def suspend(self, instance):
        """Saves the running guest's memory to disk and stops it."""

    @abc.abstractmethod
    def resume(self, instance):
        """Restarts a suspended guest where it was."""

    @abc.abstractmethod
    def get_power_state(self, instance):
        """One of godwit.compute.states' power states (NOSTATE if absent)."""

    # --- migration (resize and cold migration), in protocol order -------------------------
    # ``progress(done, total)`` is called with bytes copied so far; it may raise to stop the
    # copy (the migration was cancelled). A copy that is run again resumes or starts over.

    @abc.abstractmethod
    def migrate_snapshot(self, instance):
        """Source: freezes the disk as a read-only base; the VM now writes to a COW child."""

    @abc.abstractmethod
    def migrate_copy_base(self, instance, dest, progress):
        """Source: copies the base to ``dest`` (a Destination) while the VM runs."""

    @abc.abstractmethod
    def migrate_power_off(self, instance):
        """Source: shuts the VM down and keeps it aside as the original until confirm."""

    @abc.abstractmethod
    def migrate_copy_delta(self, instance, dest, progress):
        """Source: copies the COW child (written since the snapshot) to ``dest``."""

    @abc.abstractmethod
    def migrate_finish(self, instance, flavor, power_on):
        """Destination: builds the VM from the received disks with ``flavor``'s sizes (a
        dict, see godwit.compute.flavors) and starts it if asked."""

    @abc.abstractmethod
    def migrate_drop_destination(self, instance):
        """Destination: removes the VM built here and any received disks (revert, abort).

        Never touches the source's original, which lives beside it in a resize on one host.
        """

    @abc.abstractmethod
    def migrate_restore_source(self, instance, power_on):
        """Source: puts the original back as the instance's VM and starts it if asked."""

    @abc.abstractmethod
    def cleanup_migration(self, instance, keep_vm):
        """Removes what migrations left of the instance here: the original, received disks,
        and the VM itself unless ``keep_vm`` (it runs here)."""


class Destination:
    """Where a migration copies to: the godwit host name, and the address its compute node
    registered (the hypervisor's, as ``get_host_info`` reported it)."""

    def __init__(self, host, address):
        self.host = host
        self.address = address


class InstanceRef:
    """The least a driver needs to act on an instance the database no longer holds (or no
    longer holds here): its uuid."""

    def __init__(self, uuid):
        self.uuid = uuid


def driver_class(name):
    """The class of the driver ``[compute] compute_driver`` names."""
    if name == "xenapi":
        from godwit.virt.xenapi.driver import XenAPIDriver
        return XenAPIDriver
    from godwit.virt import fake
    return fake.FakeDriver


def load_driver(name, host):
    return driver_class(name)(host)
