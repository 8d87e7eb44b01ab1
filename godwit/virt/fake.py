"""A hypervisor made of plain files, for tests, scale runs and the all-in-one.

Each host is a directory under ``[compute] fake_instances_path``; each VM a directory in
it holding its disk (``base.img``, plus ``cow.img`` once a migration snapshotted it: the
guest's disk is the two read one after the other) and its power state (``state.json``).
A migration really copies the files between host directories, so tests can check bytes,
and a restarted worker finds its VMs where it left them. Names in a host directory:

    <uuid>            the instance's VM
    <uuid>-orig       the original kept by a migration's source until confirm or revert
    <uuid>.incoming   disks a migration's destination has received so far

A guest shuts down as soon as it is asked to, unless a test made it slow or deaf to the
request (``set_guest_shutdown``, kept in the VM's ``guest.json``); a pending request is
the time it was made, in ``shutdown-requested``.

A VM a migration's destination built holds a ``migrated-in`` file until the next
migration of the instance starts, so a destination dropping its VM never takes the
source's running one for it (both are ``<uuid>`` in a resize on one host).

Capacity comes from ``[compute] fake_*`` options, overridden per host by
``[compute] fake_capacity`` entries of the form ``HOST:VCPUS/MEMORY_MB/DISK_GB``.
"""
import json
import os
import shutil
import threading
import time

from godwit.compute import states
from godwit.conf import CONF
from godwit.virt import driver

BASE = "base.img"
COW = "cow.img"
STATE = "state.json"
MIGRATED_IN = "migrated-in"
GUEST = "guest.json"
SHUTDOWN_REQUESTED = "shutdown-requested"
ORIGINAL = "-orig"
INCOMING = ".incoming"
FIREWALL = ".firewall"  # <root>/<host>.firewall/<uuid>.json: the rules applied on a host
_CHUNK = 256 * 1024


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
        self.root = CONF.compute.fake_instances_path
        self.path = os.path.join(self.root, host)

    def init_host(self):
        os.makedirs(self.path, exist_ok=True)

    def _vm(self, uuid, suffix=""):
        return os.path.join(self.path, uuid + suffix)

    def get_host_info(self):
        capacity = {"vcpus": CONF.compute.fake_vcpus, "memory_mb": CONF.compute.fake_memory_mb,
                    "disk_gb": CONF.compute.fake_disk_gb}
        capacity.update(parse_capacity(CONF.compute.fake_capacity).get(self.host, {}))
        return dict(capacity, hypervisor_version=CONF.compute.fake_hypervisor_version,
                    address="127.0.0.1")

    def get_host_load(self):
        """No real guests: the load average is the number of running VMs (each one busy
        task); free memory is left to the provisioning figures."""
        running = [uuid for uuid in self.list_instances()
                   if _read_state(self._vm(uuid)) == states.RUNNING]
        return {"load_average": float(len(running))}

    def list_instances(self):
        names = os.listdir(self.path) if os.path.isdir(self.path) else []
        return sorted({name.removesuffix(ORIGINAL).removesuffix(INCOMING) for name in names})

    # --- lifecycle -----------------------------------------------------------------------------

    def spawn(self, instance, image):
        if CONF.compute.fake_spawn_seconds:
            time.sleep(CONF.compute.fake_spawn_seconds)
        path = self._vm(instance.uuid)
        if os.path.exists(os.path.join(path, STATE)):
            return
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, BASE), "wb") as disk:
            disk.write(f"godwit fake disk, image {image.uuid}\n".encode())
        _write_state(path, states.RUNNING)

    def destroy(self, instance):
        for suffix in ("", ORIGINAL, INCOMING):
            shutil.rmtree(self._vm(instance.uuid, suffix), ignore_errors=True)

    def _set_power(self, instance, power_state):
        """Sets the VM's power state; a shutdown asked for before is no longer pending."""
        path = self._vm(instance.uuid)
        with self._lock:
            if not os.path.exists(os.path.join(path, STATE)):
                raise RuntimeError(f"instance {instance.uuid} is not on host {self.host}")
            _remove(os.path.join(path, SHUTDOWN_REQUESTED))
            _write_state(path, power_state)

    def power_on(self, instance):
        self._set_power(instance, states.RUNNING)

    def request_clean_shutdown(self, instance):
        if self.get_power_state(instance) != states.RUNNING or \
                self._shutdown_delay(instance.uuid) == 0:
            self._set_power(instance, states.SHUTDOWN)
            return
        with open(os.path.join(self._vm(instance.uuid), SHUTDOWN_REQUESTED), "w") as stream:
            stream.write(str(time.time()))

    def is_halted(self, instance):
        """Off, or the guest's delay since the request has passed (it halts now)."""
        path = self._vm(instance.uuid)
        power_state = _read_state(path)
        if power_state != states.RUNNING:
            return power_state == states.SHUTDOWN
        delay = self._shutdown_delay(instance.uuid)
        try:
            with open(os.path.join(path, SHUTDOWN_REQUESTED)) as stream:
                requested = float(stream.read())
        except FileNotFoundError:
            return False
        if delay is None or time.time() < requested + delay:
            return False
        self._set_power(instance, states.SHUTDOWN)
        return True

    def abort_clean_shutdown(self, instance):
        _remove(os.path.join(self._vm(instance.uuid), SHUTDOWN_REQUESTED))

    def hard_power_off(self, instance):
        self._set_power(instance, states.SHUTDOWN)

    def reboot(self, instance, hard):
        self._set_power(instance, states.RUNNING)

    def suspend(self, instance):
        self._set_power(instance, states.SUSPENDED)

    def resume(self, instance):
        self._set_power(instance, states.RUNNING)

    def recover(self, instance, dead_host, power_on):
        """The host directories stand for storage every host sees: the VM's directory
        moves from the dead host's to this one. A cold migration's source that died with
        its original set aside (``<uuid>-orig``) has no VM: the original becomes it."""
        path = self._vm(instance.uuid)
        if not os.path.isdir(path):
            dead = os.path.join(self.root, dead_host, instance.uuid)
            os.replace(dead if os.path.isdir(dead) else dead + ORIGINAL, path)
        self._set_power(instance, states.RUNNING if power_on else states.SHUTDOWN)

    def live_migration_location(self, instance):
        """The host whose directory holds the instance's running VM (the files do not
        know that a host is off: a dead host's VM counts), or None."""
        for host in sorted(os.listdir(self.root)):
            if _read_state(os.path.join(self.root, host, instance.uuid)) == states.RUNNING:
                return host
        return None

    def get_power_state(self, instance):
        return _read_state(self._vm(instance.uuid))

    # --- security group rules: one JSON file per instance beside the host's directory -------

    def _firewall(self, uuid=""):
        return os.path.join(self.root, self.host + FIREWALL, uuid and uuid + ".json")

    def apply_firewall(self, instance, rules):
        os.makedirs(self._firewall(), exist_ok=True)
        temporary = self._firewall(instance.uuid) + ".tmp"
        with open(temporary, "w") as stream:
            json.dump(rules, stream)
        os.replace(temporary, self._firewall(instance.uuid))

    def remove_firewall(self, instance):
        _remove(self._firewall(instance.uuid))

    def list_firewalls(self):
        directory = self._firewall()
        names = os.listdir(directory) if os.path.isdir(directory) else []
        return {name.removesuffix(".json"): self.firewall_rules(name.removesuffix(".json"))
                for name in names if name.endswith(".json")}

    def firewall_rules(self, instance_uuid):
        """The rules applied for the instance on this host (None: no ruleset)."""
        try:
            with open(self._firewall(instance_uuid)) as stream:
                return json.load(stream)
        except FileNotFoundError:
            return None

    # --- migration -----------------------------------------------------------------------------

    def _source(self, uuid):
        """The VM a migration copies from: still running, or already set aside."""
        path = self._vm(uuid)
        return path if os.path.exists(os.path.join(path, STATE)) else self._vm(uuid, ORIGINAL)

    def _incoming(self, dest_host, uuid):
        path = os.path.join(self.root, dest_host, uuid + INCOMING)
        os.makedirs(path, exist_ok=True)
        return path

    def migrate_snapshot(self, instance):
        with self._lock:
            source = self._source(instance.uuid)
            cow = os.path.join(source, COW)
            if not os.path.exists(cow):
                open(cow, "ab").close()
            _remove(os.path.join(source, MIGRATED_IN))

    def migrate_copy_base(self, instance, dest, progress):
        if CONF.compute.fake_migration_seconds:
            time.sleep(CONF.compute.fake_migration_seconds)
        _copy(os.path.join(self._source(instance.uuid), BASE),
              os.path.join(self._incoming(dest.host, instance.uuid), BASE), progress)

    def migrate_power_off(self, instance):
        with self._lock:
            path = self._vm(instance.uuid)
            if os.path.exists(os.path.join(path, STATE)):
                _write_state(path, states.SHUTDOWN)
                shutil.rmtree(self._vm(instance.uuid, ORIGINAL), ignore_errors=True)
                os.rename(path, self._vm(instance.uuid, ORIGINAL))

    def migrate_copy_delta(self, instance, dest, progress):
        incoming = self._incoming(dest.host, instance.uuid)
        _copy(os.path.join(self._vm(instance.uuid, ORIGINAL), COW),
              os.path.join(incoming, COW), progress)

    def migrate_finish(self, instance, flavor, power_on):
        path = self._vm(instance.uuid)
        with self._lock:
            if not os.path.exists(os.path.join(path, STATE)):
                incoming = self._vm(instance.uuid, INCOMING)
                if not os.path.exists(os.path.join(incoming, COW)):
                    raise RuntimeError(f"no disks of instance {instance.uuid} were received "
                                       f"on host {self.host}")
                _write_state(incoming, states.SHUTDOWN)
                open(os.path.join(incoming, MIGRATED_IN), "w").close()
                os.rename(incoming, path)
            _write_state(path, states.RUNNING if power_on else states.SHUTDOWN)

    def migrate_drop_destination(self, instance):
        with self._lock:
            if os.path.exists(os.path.join(self._vm(instance.uuid), MIGRATED_IN)):
                shutil.rmtree(self._vm(instance.uuid))
            shutil.rmtree(self._vm(instance.uuid, INCOMING), ignore_errors=True)

    def migrate_restore_source(self, instance, power_on):
        path = self._vm(instance.uuid)
        with self._lock:
            original = self._vm(instance.uuid, ORIGINAL)
            if os.path.exists(original):
                shutil.rmtree(path, ignore_errors=True)
                os.rename(original, path)
            _write_state(path, states.RUNNING if power_on else states.SHUTDOWN)

    def cleanup_migration(self, instance, keep_vm):
        with self._lock:
            for suffix in (ORIGINAL, INCOMING) if keep_vm else ("", ORIGINAL, INCOMING):
                shutil.rmtree(self._vm(instance.uuid, suffix), ignore_errors=True)

    # --- the guest, for tests and demos ----------------------------------------------------

    def set_guest_shutdown(self, instance_uuid, delay):
        """How the VM's guest answers a clean shutdown request: it halts ``delay`` seconds
        later (0: at once, the default), or never when ``delay`` is None (a hung guest)."""
        with open(os.path.join(self._vm(instance_uuid), GUEST), "w") as stream:
            json.dump({"shutdown_delay": delay}, stream)

    def _shutdown_delay(self, instance_uuid):
        try:
            with open(os.path.join(self._vm(instance_uuid), GUEST)) as stream:
                return json.load(stream)["shutdown_delay"]
        except FileNotFoundError:
            return 0

    def write_guest_data(self, instance_uuid, data):
        """What a running guest does: appends ``data`` to the disk it writes to now."""
        path = self._vm(instance_uuid)
        with self._lock:
            if _read_state(path) != states.RUNNING:
                raise RuntimeError(f"instance {instance_uuid} is not running on {self.host}")
            leaf = COW if os.path.exists(os.path.join(path, COW)) else BASE
            with open(os.path.join(path, leaf), "ab") as disk:
                disk.write(data)

    def disk_content(self, instance_uuid, suffix=""):
        """The guest's view of a VM's disk: the base, then what was written since."""
        path = self._vm(instance_uuid, suffix)
        content = b""
        for name in (BASE, COW):
            if os.path.exists(os.path.join(path, name)):
                with open(os.path.join(path, name), "rb") as disk:
                    content += disk.read()
        return content


def _write_state(path, power_state):
    temporary = os.path.join(path, STATE + ".tmp")
    with open(temporary, "w") as stream:
        json.dump({"power_state": power_state}, stream)
    os.replace(temporary, os.path.join(path, STATE))


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _read_state(path):
    try:
        with open(os.path.join(path, STATE)) as stream:
            return json.load(stream)["power_state"]
    except FileNotFoundError:
        return states.NOSTATE


def _copy(source, target, progress):
    """Copies ``source`` to ``target``, resuming after what an earlier attempt copied.

    Disks only grow at the end (guest writes are appends), so a partial target is a prefix
    of the source, like the partial file rsync --partial keeps.
    """
    total = os.path.getsize(source)
    done = os.path.getsize(target) if os.path.exists(target) else 0
    if done > total:
        done = 0
    rate = CONF.compute.fake_transfer_rate * 1024 * 1024
    with open(source, "rb") as src, open(target, "r+b" if done else "wb") as dst:
        src.seek(done)
        dst.seek(done)
        dst.truncate()
        while done < total:
            chunk = src.read(min(_CHUNK, total - done))
            dst.write(chunk)
            done += len(chunk)
            if rate:
                time.sleep(len(chunk) / rate)
            progress(done, total)
    progress(done, total)
