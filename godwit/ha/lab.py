"""Virtual BMCs for the all-in-one's simulated hosts, and a command to power them.

Each host gets a virtual BMC (``godwit.ha.vbmc``, a child process on a free loopback UDP
port) whose chassis power file is watched here. Powering the chassis off kills the host
(``SimulatedHost``): its compute worker stops, so it sends no heartbeat, and a simulated
XenServer host goes dead in its pool. Powering it on boots the host: the simulated
XenServer host comes back and a new compute worker starts, as a real host's would. The
host stays ``fenced`` until an admin unfences it. The BMCs are listed in
``<data_dir>/bmc/bmcs.json`` and recorded on the host rows, so the HA monitor fences
them over real IPMI.

``python -m godwit.ha.lab power-off compute-3 --data-dir data`` sends the BMC a real IPMI
power-off, as an operator's ``ipmitool`` would (``power-on``, ``status`` likewise).
"""
import argparse
import json
import os
import secrets
import sys
import threading

from oslo_log import log as logging

from godwit.db import api as db
from godwit.ha import ipmi, vbmc

LOG = logging.getLogger(__name__)

USERNAME = "admin"
POLL_SECONDS = 0.2


def bmc_dir(data_dir):
    return os.path.join(os.path.abspath(data_dir), "bmc")


class SimulatedHost:
    """A compute host of the all-in-one, as a service: its compute worker while its
    chassis is on, and its host in a simulated XenServer pool (``pool``, none with the
    fake driver).

    Each boot starts a worker made afresh by ``new_worker()`` (manager, driver session,
    RPC server, threads), never the stopped one again: a real host's worker starts from
    nothing. The service list of the all-in-one holds this object, not the worker, so
    stopping the all-in-one stops whichever worker runs now. Power changes and the stop
    take turns (one lock): a stop that came while a worker was starting (seconds: it
    connects to XAPI and settles its instances first) used to stop the previous, already
    stopped RPC server, then wait forever on the one the start went on to create. Once
    stopped, power changes are ignored, so no worker starts behind its back.
    """

    binary = "godwit-compute"

    def __init__(self, name, new_worker, pool=None):
        self.host = name
        self.new_worker = new_worker
        self.pool = pool
        self.worker = new_worker()
        self.powered = True
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def manager(self):
        """The manager of the current worker (the last one, while powered off)."""
        return self.worker.manager

    def start(self):
        with self._lock:
            self.worker.start()

    def power_off(self):
        """Kills the host: its worker stops (in-flight RPC methods finish first) and its
        simulated XenServer host goes dead. Nothing happens if it is off already."""
        with self._lock:
            if not self.powered or self._stopped:
                return
            LOG.warning("Simulated host %s is powered off", self.host)
            self.worker.stop()
            self.worker.wait()
            if self.pool is not None:
                self.pool.set_host_power(self.host, False)
            self.powered = False

    def power_on(self):
        """Boots the host: its simulated XenServer host comes back (VMs recorded as running
        there are halted) and a new worker starts. One that cannot start is logged; the
        host then stays silent, as a host whose boot failed."""
        with self._lock:
            if self.powered or self._stopped:
                return
            LOG.warning("Simulated host %s is powered on: its compute worker starts",
                        self.host)
            if self.pool is not None:
                self.pool.set_host_power(self.host, True)
            self.powered = True
            try:
                self.worker = self.new_worker()
                self.worker.start()
            except Exception:  # noqa: BLE001 - the lab goes on; the HA monitor sees it
                LOG.exception("The compute worker of host %s did not start", self.host)

    def stop(self):
        with self._lock:
            self._stopped = True
            if self.powered:
                self.worker.stop()

    def wait(self):
        if self.powered:
            self.worker.wait()


class LabBMCs:
    """A service of the all-in-one: a virtual BMC for each of ``hosts`` (name ->
    SimulatedHost), whose chassis powers it."""

    def __init__(self, data_dir, hosts):
        self.directory = bmc_dir(data_dir)
        self.hosts = hosts
        self.password = secrets.token_hex(8)
        self.processes = []
        self.power = {}  # host -> [PowerFile, changes seen]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="lab-bmcs", daemon=True)

    @property
    def alive(self):
        """{host: whether it is powered on}."""
        return {name: host.powered for name, host in self.hosts.items()}

    def start(self):
        os.makedirs(self.directory, exist_ok=True)
        listing = {}
        for host in self.hosts:
            power = vbmc.PowerFile(os.path.join(self.directory, f"{host}.power"))
            power.set("on")
            process, address = vbmc.spawn(power.path, self.password, USERNAME)
            self.processes.append(process)
            self.power[host] = [power, power.read()[1]]
            listing[host] = {"address": address, "username": USERNAME,
                             "password": self.password}
            db.host_register(host, {"ipmi_address": address, "ipmi_username": USERNAME,
                                    "ipmi_password": self.password})
        with open(os.path.join(self.directory, "bmcs.json"), "w") as stream:
            json.dump(listing, stream, indent=2)
        self._thread.start()

    def _watch(self):
        """A change seen went through off, even if it is on again (a fence: the worker
        stops, then a new one starts)."""
        while not self._stop.wait(POLL_SECONDS):
            for name, seen in self.power.items():
                state, changes = seen[0].read()
                if changes == seen[1]:
                    continue
                seen[1] = changes
                self.hosts[name].power_off()
                if state == "on":
                    self.hosts[name].power_on()

    def stop(self):
        self._stop.set()
        for process in self.processes:
            process.terminate()

    def wait(self):
        if self._thread.is_alive():
            self._thread.join(10)
        for process in self.processes:
            process.wait(10)


def _bmc(data_dir, host):
    with open(os.path.join(bmc_dir(data_dir), "bmcs.json")) as stream:
        listing = json.load(stream)
    if host not in listing:
        sys.exit(f"No virtual BMC for host {host}; known: {', '.join(sorted(listing))}")
    entry = listing[host]
    return ipmi.BMC(host, entry["address"], entry["username"], entry["password"])


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m godwit.ha.lab",
        description="Power a simulated host of the all-in-one through its virtual BMC.")
    parser.add_argument("action", choices=["power-off", "power-on", "status"])
    parser.add_argument("host")
    parser.add_argument("--data-dir", default="data")
    args = parser.parse_args(argv)
    bmc = _bmc(args.data_dir, args.host)
    try:
        if args.action == "status":
            state = bmc.power_state()
        else:
            state = bmc.set_power(args.action.removeprefix("power-"))
    except ipmi.FenceFailed as err:
        sys.exit(str(err))
    print(f"{args.host}: chassis {state}")


if __name__ == "__main__":
    main()
