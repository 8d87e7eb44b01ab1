"""The xenapi virt driver: one compute worker drives one XenServer / XCP-ng host via XAPI.

The worker's XAPI URL is ``[xenserver] connection_urls[<host>]`` or ``connection_url``
(the pool master's). In a pool of several hosts, the worker's host is the one whose
name_label is ``[xenserver] host_name_label``. See doc/xenserver.md.
"""
import contextlib
import threading

from godwit import exception
from godwit.compute import states
from godwit.conf import CONF
from godwit.virt import driver
from godwit.virt.xenapi import firewall, migrate, vmops
from godwit.virt.xenapi.session import Session

MIB = 1024 * 1024
GIB = 1024 * MIB


class XenAPIDriver(driver.ComputeDriver):
    hypervisor_type = "xen"

    def __init__(self, host):
        super().__init__(host)
        self.xen = None
        self._shutdown_tasks = {}
        self._tasks_lock = threading.Lock()

    def init_host(self):
        config = CONF.xenserver
        url = config.connection_urls.get(self.host, config.connection_url)
        session = Session(url, config.connection_username, config.connection_password,
                          config.connection_concurrent, config.connection_timeout)
        pool = session.call("pool.get_all_records")
        (pool_record,) = pool.values()
        self.xen = vmops.XenHost(session, self.host, self._host_ref(session, config, self.host),
                                 self._sr_ref(session, config, pool_record), config)

    def disconnect(self):
        if self.xen is not None:
            self.xen.session.close()
            self.xen = None

    @staticmethod
    def _host_ref(session, config, host):
        hosts = session.call("host.get_all")
        if len(hosts) == 1:
            return hosts[0]
        name = config.host_name_label or host
        named = session.call("host.get_by_name_label", name)
        if not named:
            raise exception.HypervisorError(
                method="host.get_by_name_label",
                reason=f"no host named {name!r} in the pool (set [xenserver] "
                       f"host_name_label)")
        return named[0]

    @staticmethod
    def _sr_ref(session, config, pool_record):
        if config.sr_uuid:
            return session.call("SR.get_by_uuid", config.sr_uuid)
        return pool_record["default_SR"]

    def get_host_info(self):
        xen = self.xen
        record = xen.call("host.get_record", xen.host_ref)
        metrics = xen.call("host_metrics.get_record", record["metrics"])
        return {"vcpus": int(record["cpu_info"]["cpu_count"]),
                "memory_mb": int(metrics["memory_total"]) // MIB,
                "disk_gb": int(xen.call("SR.get_physical_size", xen.sr_ref)) // GIB,
                "hypervisor_version": record["software_version"].get("product_version", ""),
                "address": record["address"]}

    def get_host_load(self):
        """Free memory from the host's metrics; the load average from its ``loadavg`` data
        source where XAPI records one (the simulator's formulas: ``simulator.metrics``)."""
        xen = self.xen
        metrics = xen.call("host_metrics.get_record",
                           xen.call("host.get_metrics", xen.host_ref))
        load = {"memory_free_mb": int(metrics["memory_free"]) // MIB}
        with contextlib.suppress(exception.XenAPIError):
            load["load_average"] = float(xen.call("host.query_data_source", xen.host_ref,
                                                  "loadavg"))
        return load

    def list_instances(self):
        return sorted({record["other_config"][vmops.INSTANCE_KEY]
                       for record in vmops.owned_vms(self.xen).values()})

    # --- lifecycle -----------------------------------------------------------------------------

    def spawn(self, instance, image):
        vmops.spawn(self.xen, instance, image)

    def destroy(self, instance):
        xen = self.xen
        for ref, record in vmops.owned_vms(xen).items():
            if record["other_config"][vmops.INSTANCE_KEY] == instance.uuid:
                vmops.destroy_vm(xen, ref)
        vmops.destroy_named(xen, instance.uuid)  # cloned, not yet tagged
        migrate.remove_staging(xen, instance)

    def power_on(self, instance):
        vmops.start(self.xen, vmops.required(self.xen, instance.uuid))

    # A stop's clean shutdown is an XAPI task, remembered here by instance until it is
    # abandoned or ends; XAPI ends one a restarted worker forgot (guest halts or times out).

    @property
    def poll_interval(self):
        return CONF.xenserver.task_poll_interval

    def request_clean_shutdown(self, instance):
        task = vmops.start_clean_shutdown(self.xen, vmops.required(self.xen, instance.uuid))
        if task is not None:
            with self._tasks_lock:
                self._shutdown_tasks[instance.uuid] = task

    def is_halted(self, instance):
        halted = self.get_power_state(instance) == states.SHUTDOWN
        if halted:
            self.abort_clean_shutdown(instance)  # only forgets the task: it is over
        return halted

    def abort_clean_shutdown(self, instance):
        with self._tasks_lock:
            task = self._shutdown_tasks.pop(instance.uuid, None)
        if task is not None:
            vmops.end_task(self.xen, task)

    def hard_power_off(self, instance):
        self.abort_clean_shutdown(instance)
        vmops.hard_shutdown(self.xen, vmops.required(self.xen, instance.uuid))

    def reboot(self, instance, hard):
        xen = self.xen
        vm = vmops.required(xen, instance.uuid)
        if xen.call("VM.get_power_state", vm) != "Running":
            vmops.start(xen, vm)
            return
        if not hard:
            with contextlib.suppress(exception.XenAPIError, TimeoutError):
                xen.session.wait("VM.clean_reboot", vm, timeout=CONF.compute.shutdown_timeout,
                                 poll=xen.config.task_poll_interval)
                return
        xen.call("VM.hard_reboot", vm)

    def get_power_state(self, instance):
        return vmops.power_state(self.xen, instance.uuid)

    def suspend(self, instance):
        vm = vmops.required(self.xen, instance.uuid)
        if self.xen.call("VM.get_power_state", vm) == "Running":
            self.xen.session.wait("VM.suspend", vm, poll=self.xen.config.task_poll_interval)

    def resume(self, instance):
        vmops.start(self.xen, vmops.required(self.xen, instance.uuid))

    @property
    def storage_kind(self):
        return "shared" if self.xen.call("SR.get_shared", self.xen.sr_ref) else "local"

    def live_migrate(self, instance, dest_host):
        """Moves the running VM to ``dest_host`` of the same pool (its disks must be on a
        shared SR); the VM is then owned by that host's worker. A VM already resident
        there (an interrupted attempt) is only re-tagged."""
        xen = self.xen
        vm = vmops.instance_vm(xen, instance.uuid)
        if vm is None:
            raise exception.HypervisorError(method="VM.pool_migrate",
                                            reason=f"instance {instance.uuid} has no VM")
        target = xen.call("host.get_by_name_label", dest_host)
        if not target:
            raise exception.HypervisorError(method="VM.pool_migrate",
                                            reason=f"host {dest_host} is not in this pool")
        if xen.call("VM.get_resident_on", vm) != target[0]:
            xen.session.wait("VM.pool_migrate", vm, target[0], {"live": "true"},
                             poll=xen.config.task_poll_interval)
        vmops.tag(xen, vm, instance.uuid, **{vmops.HOST_KEY: dest_host})

    def recover(self, instance, dead_host, power_on):
        """The pool's database may still have the VM running on the dead (fenced, confirmed
        off) host: ``VM.power_state_reset`` marks it halted, then it is tagged for this host
        and started here with ``VM.start_on``, from its disks on a shared SR. A cold
        migration's source that died with the VM set aside left it as ``<uuid>-orig``: it
        is named after the instance again and recovered the same way. A VM with a disk on
        a local SR is refused (that disk died with its host)."""
        xen = self.xen
        vm = vmops.instance_vm(xen, instance.uuid) or \
            vmops.instance_vm(xen, instance.uuid, vmops.ORIGINAL)
        if vm is None:
            raise exception.HypervisorError(method="VM.get_by_name_label",
                                            reason=f"instance {instance.uuid} has no VM in "
                                                   "this pool")
        vmops.require_shared_disks(xen, vm, instance.uuid, dead_host)
        xen.call("VM.set_name_label", vm, instance.uuid)
        if xen.call("VM.get_power_state", vm) in ("Running", "Paused") and \
                xen.call("VM.get_resident_on", vm) != xen.host_ref:
            xen.call("VM.power_state_reset", vm)
        vmops.tag(xen, vm, instance.uuid)
        if power_on:
            vmops.start(xen, vm)

    def live_migration_location(self, instance):
        xen = self.xen
        vm = vmops.instance_vm(xen, instance.uuid)
        if vm is None or xen.call("VM.get_power_state", vm) not in ("Running", "Paused"):
            return None
        return xen.call("host.get_name_label", xen.call("VM.get_resident_on", vm))

    # --- migration -----------------------------------------------------------------------------

    def migrate_snapshot(self, instance):
        migrate.snapshot(self.xen, instance)

    def migrate_copy_base(self, instance, dest, progress):
        migrate.copy_base(self.xen, instance, dest, progress)

    def migrate_power_off(self, instance):
        migrate.power_off(self.xen, instance)

    def migrate_copy_delta(self, instance, dest, progress):
        migrate.copy_delta(self.xen, instance, dest, progress)

    def migrate_finish(self, instance, flavor, power_on):
        migrate.finish(self.xen, instance, flavor, power_on)

    def migrate_drop_destination(self, instance):
        migrate.drop_destination(self.xen, instance)

    def migrate_restore_source(self, instance, power_on):
        migrate.restore_source(self.xen, instance, power_on)

    def cleanup_migration(self, instance, keep_vm):
        migrate.cleanup(self.xen, instance, keep_vm)

    # --- security group rules ------------------------------------------------------------------

    def apply_firewall(self, instance, rules):
        firewall.apply(self.xen, instance, rules)

    def remove_firewall(self, instance):
        firewall.remove(self.xen, instance)

    def list_firewalls(self):
        return firewall.applied(self.xen)
