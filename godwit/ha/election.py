"""Which scheduler process runs the HA monitor: the holder of a tooz lock.

``[ha] coordination_url`` names a tooz backend (Redis or ZooKeeper). The leader is the
process holding the lock named after the group: each election round a follower tries to
take it, and the leader asks the backend whether it still owns it. tooz's heartbeat keeps
the lock; a leader that stalls past the backend's ``lock_timeout`` loses it to another
process, and learns so at its next round instead of leading alongside it (tooz's own
``watch_elected_as_leader`` only ever says "elected"). Without a backend,
``AlwaysLeader`` is used: right for a single scheduler process (the all-in-one) only.
"""
import threading
import uuid

import tooz.coordination
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

GROUP = b"godwit-ha-monitor"


class AlwaysLeader:
    """One process, no backend: this process leads."""

    def is_leader(self):
        return True

    def stop(self):
        """Nothing to give up."""


class ToozLeader:
    """Competes for ``group``'s leader lock on the tooz backend and tells, on each call,
    whether this member leads. A lost lock or backend connection makes it a follower until
    it is elected again; ``stop()`` makes it one for good.

    ``is_leader`` (the monitor's thread) and ``stop`` (the thread stopping the service) may
    run at once: a lock keeps a stop from being undone by a reconnection."""

    def __init__(self, url, group=GROUP, member=None):
        self.url = url
        self.group = group
        self.member = member or f"godwit-scheduler-{uuid.uuid4().hex[:8]}".encode()
        self.coordinator = None
        self.lock = None
        self.leading = False
        self.stopped = False
        self._lock = threading.Lock()

    def _start(self):
        self.coordinator = tooz.coordination.get_coordinator(self.url, self.member)
        self.coordinator.start(start_heart=True)
        self.lock = self.coordinator.get_lock(self.group + b"-leader")

    def _election_round(self):
        if self.leading and not self.lock.is_still_owner():
            LOG.warning("This scheduler (%s) lost the HA monitor's leader lock (it stalled "
                        "longer than the lock lasts?); it follows now", self.member.decode())
            self.leading = False
            self.lock.release()  # stop the heartbeat extending a lock another member holds
        if not self.leading and self.lock.acquire(blocking=False):
            LOG.warning("This scheduler (%s) now leads the HA monitor", self.member.decode())
            self.leading = True

    def is_leader(self):
        with self._lock:
            if self.stopped:
                return False
            try:
                if self.coordinator is None:
                    self._start()
                self._election_round()
            except tooz.coordination.ToozError:
                LOG.exception("Lost the coordination backend; not leading the HA monitor")
                self._disconnect()
            return self.leading

    def stop(self):
        """Gives up for good. Stopping the coordinator releases the leader lock (tooz's
        redis driver deletes it), so the member that runs its election round next is
        elected at once instead of when the lock expires."""
        with self._lock:
            self.stopped = True
            self._disconnect()

    def _disconnect(self):
        self.leading = False
        self.lock = None
        coordinator, self.coordinator = self.coordinator, None
        if coordinator is None:
            return
        try:
            coordinator.stop()
        except tooz.coordination.ToozError:
            LOG.debug("Coordinator did not stop cleanly", exc_info=True)


def leadership(url):
    return ToozLeader(url) if url else AlwaysLeader()
