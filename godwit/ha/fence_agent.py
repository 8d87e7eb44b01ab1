"""One IPMI request to a BMC, run as a child process: ``status``, ``off`` or ``on``.

pyghmi keeps one event loop and session table per process; a session that goes wrong can
leave the next request to the same BMC waiting forever. Running each request in a fresh
process keeps that state from leaking between fences and lets the parent kill a request
that hangs (``godwit.ha.ipmi``).

Prints one JSON object: ``{"powerstate": "on"|"off"}`` or ``{"error": "..."}`` (exit 1).
The password comes from the ``GODWIT_IPMI_PASSWORD`` environment variable, never argv.
"""
import argparse
import json
import os
import sys

from pyghmi import exceptions as ipmi_exceptions
from pyghmi.ipmi import command

PASSWORD_VARIABLE = "GODWIT_IPMI_PASSWORD"


def run(address, port, username, password, action):
    """The BMC's answer as a dict; raises IpmiException if it refuses or does not answer."""
    ipmi = command.Command(bmc=address, userid=username, password=password, port=port)
    if action == "status":
        return ipmi.get_power()
    ipmi.set_power(action, wait=False)
    return ipmi.get_power()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="godwit-fence-agent")
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=623)
    parser.add_argument("--username", required=True)
    parser.add_argument("action", choices=("status", "off", "on"))
    args = parser.parse_args(argv)
    try:
        result = run(args.address, args.port, args.username,
                     os.environ.get(PASSWORD_VARIABLE, ""), args.action)
    except ipmi_exceptions.IpmiException as err:
        result = {"error": str(err) or "the BMC did not answer"}
    print(json.dumps(result), flush=True)
    # pyghmi's I/O thread is not a daemon: leave without waiting for it.
    os._exit(1 if "error" in result else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
