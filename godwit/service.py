"""Running services: RPC workers with heartbeats and periodic tasks, and the WSGI server.

Every service runs on native threads. ``run(services)`` starts them and, on SIGTERM or
SIGINT, stops taking new work and waits up to ``graceful_shutdown_timeout`` for the work
in flight to finish.
"""
import signal
import threading
import time
from concurrent import futures

import waitress.server
from oslo_log import log as logging
from waitress import wasyncore

from godwit import rpc
from godwit.conf import CONF
from godwit.db import api as db

LOG = logging.getLogger(__name__)


class Periodic(threading.Thread):
    """Calls ``func`` every ``interval`` seconds until stopped; errors are logged, not fatal."""

    def __init__(self, name, func, interval):
        super().__init__(name=name, daemon=True)
        self.func = func
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.wait(self.interval):
            try:
                self.func()
            except Exception:  # noqa: BLE001 - the next round may succeed
                LOG.exception("Periodic task %s failed", self.name)

    def stop(self):
        self._stop_event.set()


class Once(threading.Thread):
    """Calls ``func`` once in the background; an error is logged, not fatal."""

    def __init__(self, name, func):
        super().__init__(name=name, daemon=True)
        self.func = func

    def run(self):
        try:
            self.func()
        except Exception:  # noqa: BLE001 - the periodic tasks retry what this missed
            LOG.exception("Start-up task %s failed", self.name)

    def stop(self):
        """Nothing to interrupt: work cut short at exit is resumed at the next start."""


class RPCService:
    """A manager served on ``topic`` for ``server=host``, with heartbeats in ``services``."""

    def __init__(self, host, binary, topic, manager):
        self.host = host
        self.binary = binary
        self.topic = topic
        self.manager = manager
        self.server = None
        self.service_id = None
        self.threads = []

    def start(self):
        self.service_id = db.service_register(self.host, self.binary, self.topic).id
        if hasattr(self.manager, "init_host"):
            self.manager.init_host()
        self.server = rpc.get_server(self.topic, self.host, [self.manager])
        self.server.start()
        tasks = [(self._heartbeat, CONF.report_interval)] + self.manager.periodic_tasks()
        self.threads = [Periodic(f"{self.binary}@{self.host}#{i}", func, interval)
                        for i, (func, interval) in enumerate(tasks)]
        startup = getattr(self.manager, "startup_tasks", list)()
        self.threads += [Once(f"{self.binary}@{self.host}#start{i}", func)
                         for i, func in enumerate(startup)]
        for thread in self.threads:
            thread.start()
        LOG.info("%s started on %s (topic %s)", self.binary, self.host, self.topic)

    def _heartbeat(self):
        db.service_heartbeat(self.service_id)

    def stop(self):
        """Stops consuming; in-flight RPC methods finish before ``wait`` returns. The
        manager's ``cleanup_host``, if it has one, gives up what others should take over
        (the scheduler's HA monitor leadership)."""
        for thread in self.threads:
            thread.stop()
        if hasattr(self.manager, "cleanup_host"):
            self.manager.cleanup_host()
        if self.server is not None:
            self.server.stop()

    def wait(self):
        if self.server is not None:
            self.server.wait()
        LOG.info("%s on %s stopped", self.binary, self.host)


class WSGIService:
    """The API under waitress, a multi-threaded production WSGI server."""

    def __init__(self, app, host, port, threads):
        try:
            self.server = waitress.server.create_server(
                app, host=host, port=port, threads=threads, ident="godwit",
                connection_limit=CONF.api.connection_limit)
        except OSError as err:
            raise SystemExit(f"Cannot listen on {host}:{port}: {err.strerror}") from None
        self.thread = threading.Thread(target=self.server.run, name="wsgi", daemon=True)

    @property
    def port(self):
        return self.server.effective_port

    def start(self):
        self.thread.start()
        LOG.info("API listening on http://%s:%s", self.server.effective_host, self.port)

    def stop(self):
        """Closes the listening socket; requests already accepted carry on."""
        self.server.close()

    def wait(self):
        """Lets the worker threads finish their requests, then drops idle connections."""
        self.server.task_dispatcher.shutdown(cancel_pending=False,
                                             timeout=CONF.graceful_shutdown_timeout)
        time.sleep(0.2)  # let the I/O thread flush the last responses
        wasyncore.close_all(self.server._map)


def stop_all(services, timeout):
    """Stops every service at once (each listener takes up to a second to notice), then
    waits up to ``timeout`` seconds for the work in flight."""
    with futures.ThreadPoolExecutor(max(len(services), 1)) as pool:
        list(pool.map(lambda svc: svc.stop(), services))
        waits = [pool.submit(svc.wait) for svc in services]
        futures.wait(waits, timeout=timeout)
    rpc.cleanup()


def run(services, started=None):
    """Starts ``services`` and blocks until SIGTERM/SIGINT, then stops them gracefully.

    ``started`` is called once every service is up (the all-in-one prints its banner).
    """
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    for service in services:
        service.start()
    if started is not None:
        started()
    stop.wait()
    LOG.info("Stopping: no new work is taken; waiting for work in flight")
    stop_all(services, CONF.graceful_shutdown_timeout)
