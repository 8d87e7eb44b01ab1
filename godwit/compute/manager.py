"""The compute worker's RPC endpoints. Thin: each operation lives in its own module.

Operations on one instance are serialised by a per-instance lock, so a delete that
arrives during a build waits for the build instead of racing it. A stop waiting for its
guest lets the lock go as soon as a start, reboot or delete takes it over (see power).
"""
import threading
import weakref

import oslo_messaging as messaging

from godwit.compute import api as compute_api
from godwit.compute import (
    build,
    cluster_state,
    firewall,
    flush,
    live_migration,
    migration,
    power,
    reconcile,
    states,
    terminate,
)
from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.context import get_admin_context
from godwit.ha import recovery
from godwit.virt import driver as virt_driver


class ComputeManager:
    target = messaging.Target(version="1.8")

    def __init__(self, host, driver_name):
        self.host = host
        self.driver = virt_driver.load_driver(driver_name, host)
        self.compute_rpcapi = ComputeAPI()
        self.hypervisor = cluster_state.HypervisorLink(self)
        self._locks = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()

    # --- locking -------------------------------------------------------------------------------

    def _lock_for(self, instance_uuid):
        """The instance's lock; it lives only as long as someone holds a reference to it."""
        with self._locks_guard:
            lock = self._locks.get(instance_uuid)
            if lock is None:
                lock = self._locks[instance_uuid] = threading.Semaphore(1)
            return lock

    def with_instance_lock(self, instance_uuid, func, *args):
        """Runs ``func`` holding the instance, unless the hypervisor is out of reach on
        purpose (an unmanaged cluster: see ``cluster_state``)."""
        with self._lock_for(instance_uuid):
            if self.hypervisor.refuses(instance_uuid):
                return None
            return func(*args)

    def try_with_instance_lock(self, instance_uuid, func, *args):
        """Runs ``func`` unless another operation holds the instance (then skips it)."""
        lock = self._lock_for(instance_uuid)
        if lock.acquire(blocking=False):
            try:
                func(*args)
            finally:
                lock.release()

    # --- lifecycle -----------------------------------------------------------------------------

    def init_host(self):
        self.hypervisor.start()

    def startup_tasks(self):
        """Callables the service runs once, in the background, when it takes work."""
        return [self.hypervisor.when_connected(lambda: reconcile.resume_migrations(self)),
                self.resume_flush]

    def periodic_tasks(self):
        """(callable, interval in seconds) pairs the service runs in the background; all
        but following the cluster's managed state wait while it is unmanaged."""
        connected = self.hypervisor.when_connected
        tasks = [(connected(lambda: reconcile.reconcile(self)), CONF.compute.reconcile_interval),
                 (self.hypervisor.follow, CONF.report_interval),
                 (self.resume_flush, CONF.compute.reconcile_interval)]
        window = CONF.compute.resize_confirm_window
        if window:
            tasks.append((connected(self.confirm_expired_migrations),
                          min(window, CONF.compute.reconcile_interval)))
        return tasks

    def resume_flush(self):
        """Runs this host's unfinished flush or unflush, unless it runs already."""
        flush.resume(self, compute_api.API())

    def confirm_expired_migrations(self):
        for confirmed in migration.confirm_expired(self.host,
                                                   CONF.compute.resize_confirm_window):
            self.compute_rpcapi.advance_migration(get_admin_context(),
                                                  confirmed.next_step_host, confirmed)

    # --- RPC endpoints (compute API 1.1) -------------------------------------------------------

    def build_and_run_instance(self, context, instance_uuid, alternates):
        self.with_instance_lock(instance_uuid, build.build, context, self, instance_uuid,
                                alternates)

    def start_instance(self, context, instance_uuid):
        self.with_instance_lock(instance_uuid, power.run, self.driver, instance_uuid,
                                states.POWERING_ON)

    def stop_instance(self, context, instance_uuid):
        self.with_instance_lock(instance_uuid, power.run, self.driver, instance_uuid,
                                states.POWERING_OFF)

    def reboot_instance(self, context, instance_uuid, hard):
        task = states.REBOOTING_HARD if hard else states.REBOOTING
        self.with_instance_lock(instance_uuid, power.run, self.driver, instance_uuid, task)

    def suspend_instance(self, context, instance_uuid):
        self.with_instance_lock(instance_uuid, power.run, self.driver, instance_uuid,
                                states.SUSPENDING)

    def resume_instance(self, context, instance_uuid):
        self.with_instance_lock(instance_uuid, power.run, self.driver, instance_uuid,
                                states.RESUMING)

    def terminate_instance(self, context, instance_uuid):
        self.with_instance_lock(instance_uuid, terminate.terminate, self, instance_uuid)

    def prepare_migration(self, context, instance_uuid, new_flavor, alternates,
                          task_token=None):
        self.with_instance_lock(instance_uuid, migration.prepare, self, context, instance_uuid,
                                new_flavor, alternates, task_token)

    def advance_migration(self, context, migration_uuid, instance_uuid):
        self.with_instance_lock(instance_uuid, migration.advance, self, migration_uuid)

    # --- RPC endpoints (compute API 1.3) -------------------------------------------------------

    def live_migrate_instance(self, context, instance_uuid, migration_uuid):
        self.with_instance_lock(instance_uuid, live_migration.run, self, migration_uuid)

    def refresh_firewall(self, context, instance_uuids):
        for instance_uuid in instance_uuids:
            self.with_instance_lock(instance_uuid, firewall.sync, self.driver, instance_uuid)

    def cluster_managed_changed(self, context, cluster_uuid):
        self.hypervisor.follow()

    # --- RPC endpoints (compute API 1.6) -------------------------------------------------------

    def run_host_flush(self, context):
        self.resume_flush()

    # --- RPC endpoints (compute API 1.7) -------------------------------------------------------

    def recover_instance(self, context, instance_uuid, migration_uuid):
        self.with_instance_lock(instance_uuid, recovery.recover, self, migration_uuid)
