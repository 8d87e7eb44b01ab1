"""The interface between a compute worker and the hypervisor it owns.

The compute manager sees nothing else of a hypervisor. Every method must be idempotent:
the manager retries steps after a crash without knowing how far the last attempt got.
``list_instances`` names every instance with anything on this host, migration leftovers
included, so the reconciler can remove what no instance or migration owns.
"""
import abc
import time

from oslo_log import log as logging

from godwit.conf import CONF

LOG = logging.getLogger(__name__)


class ComputeDriver(abc.ABC):
    hypervisor_type = None

    def __init__(self, host):
        self.host = host

    @property
    def storage_kind(self):
        """Where the instances built here keep their disks: "shared" (every host of the
        cluster sees them, so they can live-migrate) or "local"."""
        return "local"

    def init_host(self):
        """Connects to the hypervisor; called before the worker takes work, and again when
        it reconnects after ``disconnect``."""

    def disconnect(self):
        """Closes every connection to the hypervisor (its cluster became Unmanaged); no
        other method is called until ``init_host`` has connected again."""

    @abc.abstractmethod
    def get_host_info(self):
        """Capacity and identity: vcpus, memory_mb, disk_gb, hypervisor_version, address."""

    def get_host_load(self):
        """What the host has free now, as far as the hypervisor tells: ``memory_free_mb``
        and ``load_average`` (either may be missing); the mem and load node selectors rank
        by them."""
        return {}

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

    # --- stopping a guest: graceful, abortable, forced ---------------------------------------

    poll_interval = 0.5  # seconds between checks while a guest shuts down

    @abc.abstractmethod
    def request_clean_shutdown(self, instance):
        """Asks the guest to shut down and returns at once. A VM that is not running
        (paused, suspended) has no guest to ask: it is halted; one already off is left."""

    @abc.abstractmethod
    def is_halted(self, instance):
        """True once the instance's VM is off (its guest shut down, or it was halted)."""

    @abc.abstractmethod
    def abort_clean_shutdown(self, instance):
        """Stops waiting for the clean shutdown asked for; quiet if none was. A guest that
        already began to shut down may still halt: whoever wants it running starts it."""

    @abc.abstractmethod
    def hard_power_off(self, instance):
        """Halts the VM at once, whatever its guest does (abandons a clean shutdown)."""

    def shut_down(self, instance, timeout, keep_waiting=lambda: True):
        """Asks the guest to shut down and halts it hard after ``timeout`` seconds.

        ``keep_waiting()`` is asked at each poll; once it says no, the clean shutdown is
        abandoned and False returned (the guest may still run). True: the VM is off.
        """
        self.request_clean_shutdown(instance)
        deadline = time.monotonic() + timeout
        while not self.is_halted(instance):
            if not keep_waiting():
                self.abort_clean_shutdown(instance)
                return False
            if time.monotonic() >= deadline:
                LOG.warning("Instance %s did not shut down within %s s; powering it off",
                            instance.uuid, timeout)
                self.hard_power_off(instance)
                return True
            time.sleep(self.poll_interval)
        return True

    def power_off(self, instance):
        """Stops the guest, halting it hard after ``[compute] shutdown_timeout``."""
        return self.shut_down(instance, CONF.compute.shutdown_timeout)

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

    # --- security group rules (godwit.compute.firewall decides what each host holds) ------

    @abc.abstractmethod
    def apply_firewall(self, instance, rules):
        """Makes ``rules`` (plain dicts, see firewall.rules_for) the instance's ruleset on
        this host's backend, replacing what was there."""

    @abc.abstractmethod
    def remove_firewall(self, instance):
        """Removes the instance's ruleset from this host's backend; quiet if it has none."""

    @abc.abstractmethod
    def list_firewalls(self):
        """{instance uuid: rules} of every ruleset this host's backend holds."""

    # --- live migration inside a cluster (shared storage only) ------------------------------

    def recover(self, instance, dead_host, power_on):
        """Takes over the instance's VM from ``dead_host``, fenced (confirmed off), and
        starts it here (or leaves it off unless ``power_on``) from its shared disks;
        idempotent (a VM already here is only started). With no VM under the instance's
        name, the original a cold migration's source set aside is taken over instead."""
        raise NotImplementedError(f"{type(self).__name__} cannot recover instances")

    def live_migrate(self, instance, dest_host):
        """Moves the running instance to ``dest_host`` of the same pool; idempotent (a VM
        already there is only handed over to ``dest_host``)."""
        raise NotImplementedError(f"{type(self).__name__} cannot live-migrate")

    def live_migration_location(self, instance):
        """The host the instance's VM runs on now, as the hypervisor says (None if it runs
        nowhere): settles a live migration a crash interrupted, or whose destination was
        fenced. A VM of a dead host counts as running there until the hypervisor learns
        otherwise (a pool marks it halted when the host rejoins)."""
        raise NotImplementedError(f"{type(self).__name__} cannot live-migrate")

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
