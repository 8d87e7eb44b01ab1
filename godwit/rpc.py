"""oslo.messaging plumbing: one transport per process, context-carrying clients and servers."""
import threading

import oslo_messaging as messaging
from kombu import transport as kombu_transports
from oslo_messaging import opts as messaging_opts
from oslo_messaging.rpc import dispatcher

from godwit import context as godwit_context
from godwit.conf import CONF

_lock = threading.Lock()
_transport = None


class ContextSerializer(messaging.NoOpSerializer):
    """Sends the RequestContext as a dict and rebuilds it on the receiving side."""

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return godwit_context.RequestContext.from_dict(context)


def get_transport():
    global _transport
    with _lock:
        if _transport is None:
            _transport = messaging.get_rpc_transport(
                CONF, allowed_remote_exmods=["godwit.exception"])
            if _transport.conf.transport_url.startswith("kombu+memory"):
                # Nothing to send heartbeats to inside one process.
                CONF.set_default("heartbeat_timeout_threshold", 0,
                                 group="oslo_messaging_rabbit")
        return _transport


def cleanup():
    global _transport
    with _lock:
        if _transport is not None:
            _transport.cleanup()
        _transport = None


def get_client(topic, version, version_cap=None):
    target = messaging.Target(topic=topic, version=version)
    return messaging.get_rpc_client(get_transport(), target, version_cap=version_cap,
                                    serializer=ContextSerializer())


def get_server(topic, server, endpoints):
    target = messaging.Target(topic=topic, server=server)
    return messaging.get_rpc_server(get_transport(), target, endpoints,
                                    serializer=ContextSerializer(),
                                    access_policy=dispatcher.DefaultRPCAccessPolicy)


def set_defaults():
    """The embedded default transport: in-memory, one process only (see rpc_memory)."""
    kombu_transports.TRANSPORT_ALIASES["memory"] = "godwit.rpc_memory:Transport"
    messaging.set_transport_defaults(control_exchange="godwit")
    for group, opts in messaging_opts.list_opts():
        if group is None:
            CONF.register_opts(opts)
    CONF.set_default("transport_url", "kombu+memory:////")
