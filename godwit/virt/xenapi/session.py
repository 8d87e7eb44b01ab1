"""A compute worker's link to XAPI: a few logged-in ``XenAPI.Session`` objects shared by
its threads, XAPI failures turned into godwit exceptions, and waiting on XAPI tasks.

``XenAPI.Session`` keeps one HTTP connection and is not safe for two threads at once, so
each call borrows a session of its own; at most ``connection_concurrent`` exist. The
client logs in again by itself when XAPI answers SESSION_INVALID (an expired session or
a restarted XAPI), with the credentials of its first login. ``close`` logs every session
out for good (the worker leaves its hypervisor alone, e.g. its cluster is unmanaged).
"""
import contextlib
import http.client
import queue
import threading
import time
import xmlrpc.client

import XenAPI
from oslo_log import log as logging

from godwit import exception

LOG = logging.getLogger(__name__)

API_VERSION = "2.21"
ORIGINATOR = "godwit"
# The wait between two polls of a task: a quarter of the time it has run so far, but at
# least this long (and at most ``poll`` seconds).
_FIRST_POLL = 0.05
# Errors on the wire: the host is down, refuses connections, or answers something else.
_UNREACHABLE = (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError)


class _Timeout:
    """A transport whose connections give up after ``timeout`` seconds."""

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _Transport(_Timeout, xmlrpc.client.Transport):
    pass


class _SafeTransport(_Timeout, xmlrpc.client.SafeTransport):
    pass


def _method(proxy, name):
    """``session.xenapi`` and ``"Async.VM.start"`` -> the callable for that XAPI call."""
    for part in name.split("."):
        proxy = getattr(proxy, part)
    return proxy


def decode_task_result(result):
    """A task's result is a string holding one XML-RPC ``<value>`` (empty for none)."""
    if not result:
        return None
    response = f"<methodResponse><params><param>{result}</param></params></methodResponse>"
    (value,), _ = xmlrpc.client.loads(response)
    return value


def _logout(client):
    """Ends one XAPI session; a host that is gone ends it by itself."""
    try:
        client.xenapi.session.logout()
    except (XenAPI.Failure, *_UNREACHABLE) as err:
        LOG.info("XAPI logout failed (the session expires by itself): %s", err)


class Session:
    def __init__(self, url, username, password, concurrent=5, timeout=30.0):
        self.url = url
        self._credentials = (username, password)
        self._timeout = timeout
        self._free = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(concurrent)
        self._closed = False

    def _login(self):
        transport = (_SafeTransport if self.url.startswith("https") else _Transport)(
            self._timeout)
        client = XenAPI.Session(self.url, transport=transport)
        try:
            client.login_with_password(*self._credentials, API_VERSION, ORIGINATOR)
        except XenAPI.Failure as failure:
            if failure.details and failure.details[0] == "SESSION_AUTHENTICATION_FAILED":
                raise exception.HypervisorError(
                    method="session.login_with_password",
                    reason=f"XAPI at {self.url} refused the credentials of user "
                           f"{self._credentials[0]!r} (SESSION_AUTHENTICATION_FAILED)"
                ) from None
            raise exception.XenAPIError("session.login_with_password", failure.details)
        return client

    @contextlib.contextmanager
    def _borrow(self):
        with self._slots:
            if self._closed:
                raise exception.HypervisorError(method="session", reason=f"the link to XAPI "
                                                f"at {self.url} was closed")
            try:
                client = self._free.get_nowait()
            except queue.Empty:
                client = self._login()
            broken = False
            try:
                yield client
            except _UNREACHABLE:
                broken = True  # the connection may be unusable: not given back
                raise
            finally:
                if self._closed:
                    _logout(client)
                elif not broken:
                    self._free.put(client)

    def close(self):
        """Logs out every idle session; one in use is logged out when its call returns.
        Calls made afterwards fail with HypervisorError."""
        self._closed = True
        while True:
            try:
                _logout(self._free.get_nowait())
            except queue.Empty:
                return

    @contextlib.contextmanager
    def _translated(self, method):
        try:
            yield
        except XenAPI.Failure as failure:
            raise exception.XenAPIError(method, failure.details) from None
        except _UNREACHABLE as err:
            raise exception.HypervisorUnreachable(url=self.url, reason=err) from None

    def call(self, method, *args):
        """Runs XAPI call ``method`` (e.g. ``"VM.get_record"``) and returns its value."""
        with self._translated(method):
            with self._borrow() as client:
                return _method(client.xenapi, method)(*args)

    def wait(self, method, *args, timeout=None, poll=0.5, while_waiting=None):
        """Runs ``Async.<method>`` and waits for its task; returns the task's result.

        ``while_waiting()`` is called at each poll (it may raise to give up: the task is
        then cancelled). Past ``timeout`` seconds the task is cancelled and TimeoutError
        raised. The first polls come sooner than ``poll``, so that a short task, such as
        a migration's copy of the leaf while the VM is down, is seen done soon after it is.
        """
        task = self.call(f"Async.{method}", *args)
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        try:
            while True:
                status = self.call("task.get_status", task)
                if status != "pending":
                    return self._outcome(method, task, status)
                if deadline is not None and time.monotonic() > deadline:
                    self._cancel(task)
                    raise TimeoutError(f"{method} took more than {timeout} s")
                if while_waiting is not None:
                    try:
                        while_waiting()
                    except BaseException:
                        self._cancel(task)
                        raise
                time.sleep(min(poll, max(_FIRST_POLL, (time.monotonic() - started) / 4)))
        finally:
            with contextlib.suppress(exception.HypervisorError):
                self.call("task.destroy", task)

    def _outcome(self, method, task, status):
        if status == "success":
            return decode_task_result(self.call("task.get_result", task))
        details = self.call("task.get_error_info", task) or ["TASK_CANCELLED", task]
        raise exception.XenAPIError(method, details)

    def _cancel(self, task):
        try:
            self.call("task.cancel", task)
        except exception.HypervisorError as err:
            LOG.warning("Could not cancel XAPI task %s: %s", task, err)
