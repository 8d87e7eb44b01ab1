"""Which scheduler process runs the HA monitor: the leader tooz elects.

``[ha] coordination_url`` names a backend that supports leader election (Redis or
ZooKeeper; tooz's redis driver has no ``get_leader()``, so leadership is learnt from the
``watch_elected_as_leader`` callback that ``run_watchers`` fires). Without one,
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
    """Joins ``group`` on the tooz backend and tells, on each call, whether this member
    leads. A lost backend connection makes it a follower until it is elected again;
    ``stop()`` makes it one for good.

    ``is_leader`` (the monitor's thread) and ``stop`` (the thread stopping the service) may
    run at once: a lock keeps a stop from being undone by a reconnection."""

    def __init__(self, url, group=GROUP, member=None):
        self.url = url
        self.group = group
        self.member = member or f"godwit-scheduler-{uuid.uuid4().hex[:8]}".encode()
        self.coordinator = None
        self.leading = False
        self.stopped = False
        self._lock = threading.Lock()

    def _start(self):
        self.coordinator = tooz.coordination.get_coordinator(self.url, self.member)
        self.coordinator.start(start_heart=True)
        try:
            self.coordinator.create_group(self.group).get()
        except tooz.coordination.GroupAlreadyExist:
            pass
        self.coordinator.join_group(self.group).get()
        self.coordinator.watch_elected_as_leader(self.group, self._elected)

    def _elected(self, event):
        LOG.warning("This scheduler (%s) now leads the HA monitor", self.member.decode())
        self.leading = True

    def is_leader(self):
        with self._lock:
            if self.stopped:
                return False
            try:
                if self.coordinator is None:
                    self._start()
                self.coordinator.run_watchers()
            except tooz.coordination.ToozError:
                LOG.exception("Lost the coordination backend; not leading the HA monitor")
                self._disconnect()
            return self.leading

    def stop(self):
        """Gives up for good. Stopping the coordinator leaves the group and releases the
        leader lock (tooz's redis driver deletes it), so the member that runs its election
        round next is elected at once instead of when the lock expires."""
        with self._lock:
            self.stopped = True
            self._disconnect()

    def _disconnect(self):
        self.leading = False
        coordinator, self.coordinator = self.coordinator, None
        if coordinator is None:
            return
        try:
            coordinator.stop()
        except tooz.coordination.ToozError:
            LOG.debug("Coordinator did not stop cleanly", exc_info=True)


def leadership(url):
    return ToozLeader(url) if url else AlwaysLeader()
