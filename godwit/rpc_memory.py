"""kombu's in-memory transport, waiting for messages instead of spinning.

oslo.messaging sets kombu's ``polling_interval`` to 0 for ``memory://`` URLs, so every
listener thread of the stock transport spins on empty queues: an idle all-in-one with a
few hosts burns whole CPU cores, and under load the spinners starve the threads doing
real work. This transport is the stock one plus a condition per connection that a put
into one of the queues it consumes wakes up. ``godwit.rpc`` installs it under the name
``memory``, so ``transport_url = kombu+memory:////`` keeps its meaning.
"""
import collections
import socket
import threading
import time
from queue import Empty

from kombu.transport import memory

MIN_WAIT = 1.0

_registry_lock = threading.Lock()
_consumers = collections.defaultdict(set)  # queue name -> transports consuming it


def _wake(queue):
    with _registry_lock:
        transports = list(_consumers.get(queue, ()))
    for transport in transports:
        transport.message_arrived()


class Channel(memory.Channel):

    def basic_consume(self, queue, no_ack, callback, consumer_tag, **kwargs):
        with _registry_lock:
            _consumers[queue].add(self.connection)
        return super().basic_consume(queue, no_ack, callback, consumer_tag, **kwargs)

    def basic_cancel(self, consumer_tag):
        queue = self._tag_to_queue.get(consumer_tag)
        with _registry_lock:
            _consumers.get(queue, set()).discard(self.connection)
        return super().basic_cancel(consumer_tag)

    def _put(self, queue, message, **kwargs):
        super()._put(queue, message, **kwargs)
        _wake(queue)

    def _put_fanout(self, exchange, message, routing_key=None, **kwargs):
        super()._put_fanout(exchange, message, routing_key, **kwargs)
        for queue in self._lookup(exchange, routing_key):
            _wake(queue)


class Transport(memory.Transport):
    Channel = Channel

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        self._arrival = threading.Condition()
        self._arrivals = 0
        self._found_empty_at = -1  # the arrival count when every queue was last empty

    def message_arrived(self):
        with self._arrival:
            self._arrivals += 1
            self._arrival.notify_all()

    def drain_events(self, connection, timeout=None):
        """Delivers one message, sleeping until one arrives (or the timeout passes).

        oslo.messaging asks for a 50 ms timeout on memory connections, only to look at its
        stop flag that often: 20 wake-ups a second for every listener, a third of a core
        with 50 hosts. An arrival wakes the listener at once anyway, so it waits at least
        ``MIN_WAIT`` seconds; stopping a listener takes up to that long. The queues are
        looked at only when something arrived since they were last found empty.
        """
        if timeout is not None:
            timeout = max(timeout, MIN_WAIT)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._arrival:
                remaining = None if deadline is None else deadline - time.monotonic()
                if not self._arrival.wait_for(lambda: self._arrivals != self._found_empty_at,
                                              timeout=remaining):
                    raise socket.timeout()
                seen = self._arrivals
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                self._found_empty_at = seen
