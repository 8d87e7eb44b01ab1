"""From an XML-RPC call ``Class.method(session, *args)`` to its handler, and back to the
``{'Status': ..., 'Value' | 'ErrorDescription': ...}`` struct the XenAPI client expects."""
import dataclasses
import inspect
import logging
import threading

from godwit.virt.xenapi.simulator import (
    errors,
    generic,
    guest,
    hostpower,
    metrics,
    model,
    plugins,
    sessions,
    storage,
    tasks,
    vbd,
    vm,
)
from godwit.virt.xenapi.simulator.store import Store

LOG = logging.getLogger(__name__)
ASYNC = "Async."


@dataclasses.dataclass
class Call:
    """What a handler sees besides its arguments."""

    store: Store
    sessions: sessions.Sessions
    session: str
    plugins: plugins.Runner
    cancellations: tasks.Cancellations
    guests: guest.Guests
    # The call's task (the null ref for a call made without ``Async.``) and the event set
    # when it is cancelled or the simulator stops.
    task: str = model.NULL_REF
    cancelled: threading.Event = dataclasses.field(default_factory=threading.Event)

    def host(self):
        """This simulator's host: the pool master."""
        return self.store.get("pool", self.store.refs("pool")[0])["master"]


class Dispatcher:
    def __init__(self, store, session_table, plugin_runner, guests):
        self.store = store
        self.sessions = session_table
        self.plugins = plugin_runner
        self.guests = guests
        self.cancellations = tasks.Cancellations()
        self.methods = {}
        for module in (generic, hostpower, metrics, plugins, sessions, storage, tasks, vbd, vm):
            self.methods.update(module.methods())

    def dispatch(self, method, params):
        try:
            value = self._call(method, params)
        except errors.XapiError as err:
            return {"Status": "Failure", "ErrorDescription": err.description}
        except Exception as err:  # noqa: BLE001 - the client gets it as XAPI's INTERNAL_ERROR
            LOG.exception("%s failed", method)
            return {"Status": "Failure", "ErrorDescription": ["INTERNAL_ERROR", str(err)]}
        return {"Status": "Success", "Value": "" if value is None else value}

    def _call(self, method, params):
        name = method.removeprefix(ASYNC)
        handler = self.methods.get(name)
        if handler is None:
            raise errors.XapiError("MESSAGE_METHOD_UNKNOWN", method)
        session = None
        if name not in sessions.WITHOUT_SESSION:
            session, params = (params[0] if params else ""), params[1:]
            self.sessions.check(session)
        _check_arguments(method, handler, params, session is not None)
        call = Call(self.store, self.sessions, session, self.plugins, self.cancellations,
                    self.guests)
        if method.startswith(ASYNC):
            return tasks.start(call, method, handler, params)
        key = model.new_ref()
        call.cancelled = self.cancellations.register(key)
        try:
            with self.store.lock_for(handler):
                return handler(call, *params)
        finally:
            self.cancellations.forget(key)
            with self.store.lock:
                self.store.save()


def _check_arguments(method, handler, params, with_session):
    signature = inspect.signature(handler)
    try:
        signature.bind(None, *params)
    except TypeError:
        expected = len(signature.parameters) - 1 + with_session
        raise errors.XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", method, expected,
                               len(params) + with_session) from None
