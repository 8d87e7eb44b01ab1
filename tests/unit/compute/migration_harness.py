"""Compute workers on one database with RPC as an in-order queue, for migration tests.

``Cloud`` runs the compute API and a ComputeManager per host in this thread: casts go to a
queue that ``pump()`` delivers. A worker can be made to crash (``CrashAt``) just before or
just after any change it persists to a migration, and restarted as a new process would be.
"""
import collections
import os

from sqlalchemy import event, update

from godwit import seed
from godwit.compute import api as compute_api
from godwit.compute import reconcile, states
from godwit.compute.manager import ComputeManager
from godwit.compute.rpcapi import ComputeAPI
from godwit.context import get_admin_context
from godwit.db import api as db
from godwit.db import models
from godwit.db.session import writer

IMAGE = seed.DEFAULT_IMAGES[0][0]


class Crash(BaseException):
    """A worker died: nothing in it may catch this."""


class Bus(ComputeAPI):
    """The compute RPC API of every worker: casts wait in one queue, in order."""

    def __init__(self):  # no transport: nothing leaves this process
        self.queue = collections.deque()

    def _cast(self, context, host, method, version="1.0", **kwargs):
        self.queue.append((host, method, (), kwargs))

    def _can_send(self, version):
        return True


class Scheduler:
    def __init__(self, cloud):
        self.cloud = cloud

    def select_destinations(self, context, spec, instance_uuids):
        hosts = [h for h in self.cloud.hosts
                 if h not in (spec.get("ignore_hosts") or ())
                 and (not spec.get("force_hosts") or h in spec["force_hosts"])]
        return [hosts for _ in instance_uuids]


class Cloud:

    def __init__(self, hosts=("src", "dst")):
        seed.ensure_defaults()
        self.hosts = list(hosts)
        self.bus = Bus()
        self.managers = {host: self._start(host) for host in hosts}
        self.api = compute_api.API.__new__(compute_api.API)
        self.api.compute_rpcapi = self.bus
        self.api.scheduler_rpcapi = Scheduler(self)
        self.context = get_admin_context()
        self.crash = None
        self.current_host = None
        self.written = b""

    def _start(self, host):
        db.service_register(host, "godwit-compute", "compute")
        manager = ComputeManager(host, "fake")
        manager.compute_rpcapi = self.bus
        manager.init_host()
        for task in manager.startup_tasks():
            task()
        return manager

    # --- instances -----------------------------------------------------------------------------

    def boot(self, host="src", flavorid="1"):
        flavor = db.flavor_get(flavorid)
        instance = db.instance_create(dict(
            display_name="vm", project_id="p", user_id="u", flavorid=flavor.flavorid,
            flavor_name=flavor.name, image_ref=IMAGE, vcpus=flavor.vcpus,
            memory_mb=flavor.memory_mb, root_gb=flavor.root_gb, vm_state=states.BUILDING,
            task_state=states.SCHEDULING))
        self.managers[host].build_and_run_instance(self.context, instance.uuid, [])
        self.write(instance.uuid, host, b"written before the migration\n")
        return instance.uuid

    def write(self, uuid, host, data):
        self.managers[host].driver.write_guest_data(uuid, data)
        self.written += data

    def expected_disk(self, uuid):
        return f"godwit fake disk, image {IMAGE}\n".encode() + self.written

    def writes_after_snapshot(self, uuid, host="src"):
        """The guest keeps writing once the disk is snapshotted (those bytes are the delta)."""
        driver = self.managers[host].driver
        snapshot = driver.migrate_snapshot

        def snapshot_then_write(instance):
            snapshot(instance)
            self.write(uuid, host, b"written while the base was copied\n")
        driver.migrate_snapshot = snapshot_then_write

    # --- running the workers -------------------------------------------------------------------

    def pump(self, limit=None):
        """Delivers casts until none is left (or ``limit`` of them).

        A crashed worker loses the cast it was running, and is restarted.
        """
        while self.bus.queue and limit != 0:
            limit = None if limit is None else limit - 1
            host, method, args, kwargs = self.bus.queue.popleft()
            self.current_host = host
            try:
                getattr(self.managers[host], method)(self.context, *args, **kwargs)
            except Crash:
                self.crash.fired = True
                self.restart(host)
            finally:
                self.current_host = None

    def restart(self, host):
        """A new worker process for ``host``: same database, same disks, fresh memory."""
        self.managers[host] = self._start(host)

    def reconcile_everywhere(self):
        """Every worker's periodic pass, as if a reconcile interval had gone by."""
        long_ago = models.utcnow().replace(year=2000)
        with writer() as session:
            session.execute(update(models.Migration).values(updated_at=long_ago))
            session.execute(update(models.Instance).values(updated_at=long_ago))
        for host in self.hosts:
            reconcile.reconcile(self.managers[host])
        self.pump()

    # --- what a user or operator would see -----------------------------------------------------

    def vms(self, uuid):
        """{host: [names]} of what any host directory holds of the instance."""
        found = {}
        for host in self.hosts:
            path = self.managers[host].driver.path
            names = sorted(n for n in os.listdir(path) if n.startswith(uuid))
            if names:
                found[host] = names
        return found

    def disk(self, uuid, host):
        return self.managers[host].driver.disk_content(uuid)

    def migration_of(self, uuid):
        return db.migration_list(filters={"instance_uuid": uuid}, limit=1)[0]

    def usage_is_consistent(self):
        """Host usage counters equal what a recount from instances and migrations gives."""
        before = {h.name: (h.vcpus_used, h.memory_mb_used, h.running_vms)
                  for h in db.host_list()}
        for host in self.hosts:
            db.host_recount_usage(host)
        after = {h.name: (h.vcpus_used, h.memory_mb_used, h.running_vms)
                 for h in db.host_list()}
        return before == after, before, after


class CrashAt:
    """Crashes ``host``'s worker at its ``index``-th persisted migration change.

    ``when`` is "before" (the change is lost with the crash) or "after" (it is committed,
    and the worker dies before doing anything else). With ``host`` None it only counts the
    points, per host, so a test can enumerate them.
    """

    def __init__(self, cloud, monkeypatch, host=None, index=None, when="before"):
        self.cloud, self.host, self.index, self.when = cloud, host, index, when
        self.seen = collections.Counter()
        self.points = []
        self.fired = False
        cloud.crash = self
        for name in ("migration_update", "migration_create"):
            monkeypatch.setattr(db, name, self._wrap(getattr(db, name), name))

    def _wrap(self, original, name):
        def persisted(*args, **kwargs):
            host = self.cloud.current_host
            values = args[1] if name == "migration_update" else kwargs.get("values", args[1])
            if host is None or not _is_protocol_change(name, values):
                return original(*args, **kwargs)
            index = self.seen[host]
            self.seen[host] += 1
            self.points.append((host, index, name, dict(values).get("status")))
            armed = not self.fired and host == self.host and index == self.index
            if armed and self.when == "before":
                raise Crash()
            result = original(*args, **kwargs)
            if armed and result:
                self._crash_after_commit(kwargs.get("session") or
                                         (args[0] if name == "migration_create" else None))
            return result
        return persisted

    def _crash_after_commit(self, session):
        if session is None:
            raise Crash()

        def crash(_session):
            raise Crash()
        event.listen(session, "after_commit", crash, once=True)


def _is_protocol_change(name, values):
    return name == "migration_create" or "status" in values or "next_step_host" in values \
        or "outcome" in values
