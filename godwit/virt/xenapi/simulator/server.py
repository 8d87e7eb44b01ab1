"""The simulator: an XML-RPC server on 127.0.0.1 answering as XAPI does."""
import os
import socketserver
import threading
import xmlrpc.server

from godwit.virt.xenapi.simulator import (
    bootstrap,
    dispatcher,
    guest,
    hostpower,
    plugins,
    sessions,
    tasks,
)
from godwit.virt.xenapi.simulator.store import Store

POLL_SECONDS = 0.05  # how soon ``stop`` is noticed


class _Server(socketserver.ThreadingMixIn, xmlrpc.server.SimpleXMLRPCServer):
    daemon_threads = True

    def __init__(self, port, xapi):
        super().__init__(("127.0.0.1", port), allow_none=True, logRequests=False)
        self.xapi = xapi

    def _dispatch(self, method, params):
        return self.xapi.dispatch(method, params)


class Simulator:
    """A simulated pool of ``hosts`` (the first is the master) keeping its state in
    ``state_dir``; a restart with the same ``state_dir`` finds the same objects.

    ``host.call_plugin`` runs the dom0 plugins found in ``plugin_dirs`` (default: the
    repository's ``plugins/xenserver/xapi.d/plugins``).

    With a ``guest_write_rate`` (bytes per second), every running VM's guest writes to its
    first disk and journals what it wrote (``guest``).
    """

    def __init__(self, state_dir, port=0, hosts=("xenserver-1",), username="root",
                 password="password", plugin_dirs=plugins.DEFAULT_PLUGIN_DIRS,
                 guest_write_rate=0):
        self.state_dir = state_dir
        self.port = port
        self.hosts = hosts
        self.plugin_dirs = tuple(str(path) for path in plugin_dirs)
        self.guest_write_rate = guest_write_rate
        self.sessions = sessions.Sessions(username, password)
        self.store = None
        self.guests = None
        self._server = None
        self._thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def _open_store(self):
        os.makedirs(self.state_dir, exist_ok=True)
        store = Store(self.state_dir)
        if store.load():
            tasks.cancel_unfinished(store)
        else:
            bootstrap.bootstrap(store, self.state_dir, self.hosts)
        store.save()
        return store

    def start(self):
        self.store = self._open_store()
        self.guests = guest.Guests(self.store, self.state_dir, self.guest_write_rate)
        self._server = _Server(self.port, None)
        self._server.xapi = dispatcher.Dispatcher(
            self.store, self.sessions,
            plugins.Runner(self.url, self.plugin_dirs, self.state_dir), self.guests)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(POLL_SECONDS,),
                                        name="xapi-sim", daemon=True)
        self._thread.start()
        self.guests.start()
        return self

    def set_host_power(self, name, on):
        """Powers one simulated host on or off (its BMC's chassis): see ``hostpower``."""
        with self.store.lock:
            hostpower.set_power(self.store, name, on)
            self.store.save()

    def stop(self):
        """Stops answering and writing; waits for the call in progress, if any, to be saved.
        Calls still waiting (a clean shutdown the guest ignores) are cancelled."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server.xapi.cancellations.cancel_all()
        self.guests.stop()
        with self.store.lock:
            self.store.save()
