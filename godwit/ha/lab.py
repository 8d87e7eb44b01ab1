"""Virtual BMCs for the all-in-one's simulated hosts, and a command to power them.

Each host gets a virtual BMC (``godwit.ha.vbmc``, a child process on a free loopback UDP
port) whose chassis power file is watched here: powering the chassis off kills the host
(its compute worker stops, so it sends no heartbeat; a simulated XenServer host goes dead
in its pool), powering it on brings the simulated host back, but not its worker: restarting
a stopped worker inside the running all-in-one hung its shutdown, so the worker comes back
when ``godwit-aio`` restarts (the host stays ``fenced`` until an admin unfences it). The
BMCs are listed in ``<data_dir>/bmc/bmcs.json`` and recorded on the host rows, so the HA
monitor fences them over real IPMI.

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


class LabBMCs:
    """A service of the all-in-one: ``computes`` maps a host to its compute RPCService,
    ``simulators`` a host to the Simulator of its pool (none with the fake driver)."""

    def __init__(self, data_dir, computes, simulators):
        self.directory = bmc_dir(data_dir)
        self.computes = computes
        self.simulators = simulators
        self.password = secrets.token_hex(8)
        self.processes = []
        self.power = {}  # host -> [PowerFile, changes seen]
        self.alive = dict.fromkeys(computes, True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="lab-bmcs", daemon=True)

    def start(self):
        os.makedirs(self.directory, exist_ok=True)
        listing = {}
        for host in self.computes:
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
        """A change seen from on went through off, even if it is on again (a fence)."""
        while not self._stop.wait(POLL_SECONDS):
            for host, seen in self.power.items():
                state, changes = seen[0].read()
                if changes == seen[1]:
                    continue
                seen[1] = changes
                if self.alive[host]:
                    self._apply(host, False)
                if state == "on":
                    self._apply(host, True)

    def _apply(self, host, on):
        LOG.warning("Simulated host %s is powered %s", host, "on" if on else "off")
        compute = self.computes[host]
        simulator = self.simulators.get(host)
        self.alive[host] = on
        if on:
            if simulator is not None:
                simulator.set_host_power(host, True)
            return
        compute.stop()
        compute.wait()
        if simulator is not None:
            simulator.set_host_power(host, False)

    def stop(self):
        self._stop.set()
        for process in self.processes:
            process.terminate()

    def wait(self):
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
