"""The compute worker's RPC endpoints. Thin: each operation lives in its own module.

Operations on one instance are serialised by a per-instance lock, so a delete that
arrives during a build waits for the build instead of racing it.
"""
import threading
import weakref

import oslo_messaging as messaging

from godwit.compute import (
    build,
    migration,
    power,
    reconcile,
    resource_tracker,
    states,
    terminate,
)
from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.context import get_admin_context
from godwit.virt import driver as virt_driver


class ComputeManager:
    target = messaging.Target(version="1.2")

    def __init__(self, host, driver_name):
        self.host = host
        self.driver = virt_driver.load_driver(driver_name, host)
        self.compute_rpcapi = ComputeAPI()
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
        with self._lock_for(instance_uuid):
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
        self.driver.init_host()
        resource_tracker.register_host(self.driver)
        reconcile.recover_all(self)

    def startup_tasks(self):
        """Callables the service runs once, in the background, when it takes work."""
        return [lambda: reconcile.resume_migrations(self)]

    def periodic_tasks(self):
        """(callable, interval in seconds) pairs the service runs in the background."""
        tasks = [(lambda: reconcile.reconcile(self), CONF.compute.reconcile_interval)]
        window = CONF.compute.resize_confirm_window
        if window:
            tasks.append((self.confirm_expired_migrations,
                          min(window, CONF.compute.reconcile_interval)))
        return tasks

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

    def prepare_migration(self, context, instance_uuid, new_flavor, alternates):
        self.with_instance_lock(instance_uuid, migration.prepare, self, context, instance_uuid,
                                new_flavor, alternates)

    def advance_migration(self, context, migration_uuid, instance_uuid):
        self.with_instance_lock(instance_uuid, migration.advance, self, migration_uuid)
