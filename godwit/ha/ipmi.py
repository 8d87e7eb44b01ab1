"""Fencing a host through its BMC over IPMI: power off, verify off, power on.

A fence counts as done only once the BMC has reported the chassis off: that, and nothing
less, proves the host can no longer write to shared disks. Any failure before it raises
``FenceFailed`` naming the step, so the caller recovers nothing. Each IPMI request runs in
a child process (``godwit.ha.fence_agent``, pyghmi underneath) that is killed if it does
not finish within ``request_timeout``.
"""
import json
import os
import subprocess
import sys
import time

from godwit import exception
from godwit.ha import fence_agent


class FenceFailed(exception.GodwitException):
    msg_fmt = "Fencing host %(host)s failed at %(step)s: %(reason)s"


class BMC:
    """One host's BMC; ``address`` is ``name`` or ``name:port`` (default port 623)."""

    def __init__(self, host, address, username, password, request_timeout=20):
        self.host = host
        name, _, port = address.partition(":")
        self.address, self.port = name, int(port or 623)
        self.username = username
        self.password = password
        self.request_timeout = request_timeout

    def power_state(self, step="status"):
        """"on" or "off", as the BMC reports the chassis."""
        return self._request("status", step)

    def set_power(self, state):
        """Asks the BMC to power the chassis "on" or "off"; the state it then reports."""
        return self._request(state, f"power {state}")

    def fence(self, verify_timeout=30, verify_interval=1.0, power_on=True):
        """Power off, wait until the BMC reports off, then (by default) power on again.

        Returns once the host has been confirmed off; raises FenceFailed otherwise.
        """
        state = self.set_power("off")
        deadline = time.monotonic() + verify_timeout
        while state != "off":
            if time.monotonic() >= deadline:
                raise FenceFailed(host=self.host, step="verify off",
                                  reason=f"the BMC still reports the chassis {state} after "
                                         f"{verify_timeout} s")
            time.sleep(verify_interval)
            state = self.power_state("verify off")
        if power_on:
            self.set_power("on")

    def _request(self, action, step):
        """Runs one request in a fresh agent process; the chassis state it reports."""
        command = [sys.executable, "-m", "godwit.ha.fence_agent", "--address", self.address,
                   "--port", str(self.port), "--username", self.username, action]
        env = dict(os.environ, **{fence_agent.PASSWORD_VARIABLE: self.password})
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  timeout=self.request_timeout, check=False)
        except subprocess.TimeoutExpired:
            raise FenceFailed(host=self.host, step=step,
                              reason=f"the BMC at {self.address}:{self.port} did not answer "
                                     f"within {self.request_timeout} s") from None
        try:
            answer = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            raise FenceFailed(host=self.host, step=step,
                              reason=f"the fence agent failed: {done.stderr.strip()[-300:]}") \
                from None
        if "error" in answer:
            raise FenceFailed(host=self.host, step=step,
                              reason=f"BMC {self.address}:{self.port}: {answer['error']}")
        return answer["powerstate"]
