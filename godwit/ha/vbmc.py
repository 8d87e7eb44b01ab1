"""A virtual BMC for a simulated host: IPMI over UDP on loopback, built on pyghmi's BMC server.

It lets fencing run the real protocol in tests and in the all-in-one. The chassis power
state lives in a small file (``on``/``off``) that the simulated host's owner watches;
``--fail`` makes every power command fail, as a broken BMC would.

pyghmi keeps one global IPMI event loop per process, shared by clients and servers, so a
virtual BMC must run in a process of its own (``godwit-vbmc``), never beside a fencing
client.
"""
import argparse
import os
import socket
import subprocess
import sys

from pyghmi.ipmi import bmc
from pyghmi.ipmi.private import serversession

_NO_CIPHER_SUITE_MATCH = 0x11
_RAKP_HMAC_SHA1 = 1
_OPEN_SESSION_REQUEST = 16


class _Sha1Session(serversession.ServerSession):
    """pyghmi's server speaks cipher suite 3 only, but answers a request for another as if
    it had agreed. Refusing it, as a real BMC does, makes the client retry with suite 3."""

    def create_open_session_response(self, request):
        if request[12] != _RAKP_HMAC_SHA1:
            self.clientsessionid = request[4:8]
            return bytearray([request[0], _NO_CIPHER_SUITE_MATCH, 0, 0]) + request[4:8]
        return super().create_open_session_response(request)


class PowerFile:
    """The chassis power state, kept in ``path`` so other processes can read and set it,
    with the number of changes so far: a watcher that polls learns of an off-and-on it
    did not see (``state off|on``, ``changes`` counted from 0)."""

    def __init__(self, path):
        self.path = path

    def read(self):
        """(state, changes)."""
        try:
            with open(self.path) as stream:
                words = stream.read().split()
        except FileNotFoundError:
            return "on", 0
        state = "off" if words[:1] == ["off"] else "on"
        return state, int(words[1]) if len(words) > 1 and words[1].isdigit() else 0

    def get(self):
        return self.read()[0]

    def set(self, state):
        current, changes = self.read()
        if state == current and os.path.exists(self.path):
            return
        partial = self.path + ".new"
        with open(partial, "w") as out:
            out.write(f"{state} {changes + 1}\n")
        os.replace(partial, self.path)


class VirtualBMC(bmc.Bmc):

    def __init__(self, power, username, password, port, address="127.0.0.1", fail=False):
        super().__init__({username: password}, port=port, address=address)
        self.power = power
        self.fail = fail

    def sessionless_data(self, data, sockaddr):
        if len(data) >= 22 and data[0] == 6 and data[4] == 6 \
                and data[5] == _OPEN_SESSION_REQUEST:
            _Sha1Session(self.authdata, self.kg, sockaddr, self.serversocket, data[16:],
                         self.uuid, bmc=self)
            return
        super().sessionless_data(data, sockaddr)

    def get_power_state(self):
        return self.power.get()

    def _set(self, state):
        if self.fail:
            return 0xd5  # "cannot execute command in the present state"
        self.power.set(state)
        return 0

    def power_off(self):
        return self._set("off")

    def power_shutdown(self):
        return self._set("off")

    def power_on(self):
        return self._set("on")

    def power_cycle(self):
        return self._set("on")

    def power_reset(self):
        return self._set("on")


def free_udp_port(address="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def spawn(power_path, password, username="admin", fail=False):
    """Starts a virtual BMC process on a free loopback port: (process, "127.0.0.1:PORT").
    It answers once its process has started listening (a client retries until then)."""
    port = free_udp_port()
    command = [sys.executable, "-m", "godwit.ha.vbmc", "--port", str(port), "--username",
               username, "--password", password, "--power-file", power_path]
    return subprocess.Popen(command + (["--fail"] if fail else [])), f"127.0.0.1:{port}"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="godwit-vbmc", description="A virtual IPMI BMC for a simulated host.")
    parser.add_argument("--port", type=int, required=True, help="UDP port on --address")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--power-file", required=True,
                        help="file holding the chassis state, on or off")
    parser.add_argument("--fail", action="store_true",
                        help="refuse every power command, as a broken BMC would")
    args = parser.parse_args(argv)
    VirtualBMC(PowerFile(args.power_file), args.username, args.password, args.port,
               args.address, args.fail).listen(timeout=1)


if __name__ == "__main__":
    main()
