"""A simulated guest: each running VM keeps writing to its disk, and a journal says what.

With a ``guest_write_rate`` of R bytes per second, every ``TICK`` seconds each Running VM
writes about ``R * TICK`` bytes, as ``CHUNK``-sized chunks of random bytes at random
``CHUNK``-aligned offsets within the first ``REGION`` bytes of its first disk (userdevice
0, else the bootable one), into that VDI's current file: after a snapshot the writes go to
the differencing child, never to the frozen base. The journal
``<state_dir>/guests/<vm uuid>.json`` maps each offset written (as a string) to the sha256
of the chunk last written there; it is rewritten (atomically) at least every
``FLUSH_SECONDS``, whenever the VM stops running, and when the simulator stops.

A test (or a migration check) compares a disk with its journal through ``journal`` and
``verify``: a disk that lost or mixed up writes shows the offsets that differ.
"""
import hashlib
import json
import logging
import os
import random
import threading
import time

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import errors, hostpower, model, storage

LOG = logging.getLogger(__name__)
CHUNK = 64 * 1024
REGION = 32 * 1024 * 1024
TICK = 0.1
FLUSH_SECONDS = 1.0
DIRECTORY = "guests"


def journal_path(state_dir, vm_uuid):
    return os.path.join(state_dir, DIRECTORY, f"{vm_uuid}.json")


def journal(state_dir, vm_uuid):
    """The VM's flushed journal: {offset: sha256 hex of the chunk there}; {} if none."""
    try:
        with open(journal_path(state_dir, vm_uuid)) as stream:
            saved = json.load(stream)
    except FileNotFoundError:
        return {}
    return {int(offset): digest for offset, digest in saved.items()}


def verify(journal_entries, disk_path):
    """The offsets whose chunk, read through the VHD chain of ``disk_path``, does not match
    the journal; [] when the disk holds every write."""
    return sorted(offset for offset, expected in journal_entries.items()
                  if hashlib.sha256(vhd.read(disk_path, offset, CHUNK)).hexdigest() != expected)


def _save(path, entries):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as stream:
        json.dump({str(offset): digest for offset, digest in sorted(entries.items())}, stream)
    os.replace(temporary, path)


def disk_vdi(store, vm):
    """The VM's first disk: the VDI of its userdevice-0 disk VBD, else of a bootable one."""
    disks = [store.get("VBD", vbd) for vbd in store.get("VM", vm)["VBDs"]]
    disks = [record for record in disks
             if record["type"] == "Disk" and record["VDI"] != model.NULL_REF]
    disks.sort(key=lambda record: (record["userdevice"] != "0", not record["bootable"]))
    return disks[0]["VDI"] if disks else None


class Guests:
    """The guests of one simulator and the thread writing for them (none at rate 0).

    Writes and journal updates happen under the store lock, so a handler holding it sees
    a disk and a journal that agree; ``flush`` expects that lock held too.
    """

    def __init__(self, store, state_dir, rate):
        self._store = store
        self._state_dir = state_dir
        self._rate = rate
        self._journals = {}
        self._dirty = set()
        self._budget = {}
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        if self._rate > 0:
            self._thread = threading.Thread(target=self._run, name="xapi-sim guests",
                                            daemon=True)
            self._thread.start()

    def stop(self):
        self._stopping.set()
        if self._thread:
            self._thread.join()
        with self._store.lock:
            self.flush_all()

    def flush(self, vm_uuid):
        """Writes the VM's journal if it changed since the last flush."""
        if vm_uuid in self._dirty:
            _save(journal_path(self._state_dir, vm_uuid), self._journals[vm_uuid])
            self._dirty.discard(vm_uuid)

    def flush_all(self):
        for vm_uuid in list(self._dirty):
            self.flush(vm_uuid)

    def _run(self):
        flushed = time.monotonic()
        while not self._stopping.wait(TICK):
            for vm in self._running():
                with self._store.lock:
                    self._write_for(vm)
            if time.monotonic() - flushed >= FLUSH_SECONDS:
                with self._store.lock:
                    self.flush_all()
                flushed = time.monotonic()

    def _running(self):
        with self._store.lock:
            return [vm for vm in self._store.find("VM", power_state="Running")
                    if not self._store.get("VM", vm)["is_control_domain"]
                    and hostpower.is_live(self._store, self._store.get("VM", vm)["resident_on"])]

    def _write_for(self, vm):
        """This tick's writes of one VM, if it still runs and has a disk."""
        try:
            record = self._store.get("VM", vm)
        except errors.XapiError:  # destroyed since the list was made
            return
        vdi = disk_vdi(self._store, vm) if record["power_state"] == "Running" else None
        if vdi is None:
            return
        budget = self._budget.get(vm, 0.0) + self._rate * TICK
        count, remainder = divmod(budget, CHUNK)
        self._budget[vm] = remainder
        try:
            self._write_chunks(record["uuid"], vdi, int(count))
        except (OSError, ValueError, vhd.VhdError) as exc:
            LOG.warning("Guest of VM %s cannot write to VDI %s: %s", vm, vdi, exc)

    def _write_chunks(self, vm_uuid, vdi, count):
        path = storage.vdi_path(self._store, vdi)
        size = min(REGION, int(self._store.get("VDI", vdi)["virtual_size"]))
        entries = self._journals.setdefault(vm_uuid, journal(self._state_dir, vm_uuid))
        for _ in range(count if size >= CHUNK else 0):
            offset = random.randrange(size // CHUNK) * CHUNK
            data = os.urandom(CHUNK)
            vhd.write(path, offset, data)
            entries[offset] = hashlib.sha256(data).hexdigest()
            self._dirty.add(vm_uuid)
