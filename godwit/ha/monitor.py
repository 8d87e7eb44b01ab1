"""The HA monitor: finds dead compute hosts and has them fenced, on the leader only.

Every ``[ha] monitor_interval`` the elected leader (``godwit.ha.election``) looks at each
compute service's last heartbeat. A host whose worker missed ``fence_intervals`` heartbeats
(``[DEFAULT] report_interval`` each), or is forced down, becomes *suspect*; if it is still
silent ``saving_throws`` monitor intervals later it is fenced and its instances recovered
(``godwit.ha.fencing``). A heartbeat during the saving throws clears it. Hosts already
fenced, and hosts of an Unmanaged cluster (godwit keeps its hands off them), are left
alone. Fences run one at a time, in this thread. A failed fence is tried again after
``fence_retry_interval`` seconds.

Suspicion lives in the leader's memory: a new leader starts counting afresh, which only
delays a fence by the saving throws.
"""
import datetime
import time

from oslo_log import log as logging
from sqlalchemy import select

from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.db import models
from godwit.db.session import reader
from godwit.ha import election, events, fencing, recovery

LOG = logging.getLogger(__name__)

COMPUTE = "godwit-compute"


class Monitor:
    """``tick()`` is one round; ``clock`` (seconds, monotonic) is replaceable in tests."""

    def __init__(self, leadership, rpcapi, fence=fencing.fence_and_recover,
                 clock=time.monotonic):
        self.leadership = leadership
        self.rpcapi = rpcapi
        self.fence = fence
        self.clock = clock
        self.suspects = {}  # host -> when its saving throws run out (clock seconds)
        self.leading = False

    def tick(self):
        if not self.leadership.is_leader():
            self.leading = False
            self.suspects.clear()
            return
        if not self.leading:
            self.leading = True
            events.record(CONF.host, events.LEADER, "this scheduler runs the HA monitor")
        now = self.clock()
        silent = silent_hosts()
        self._clear(silent)
        for host in sorted(set(silent) - set(self.suspects)):
            self.suspects[host] = now + CONF.ha.saving_throws * CONF.ha.monitor_interval
            events.record(host, events.SUSPECT, silent[host])
        for host in sorted(self.suspects):
            if self.suspects[host] <= now:
                self._fence(host)
        recovery.resend_stalled(self.rpcapi)

    def _clear(self, silent):
        for host in sorted(set(self.suspects) - set(silent)):
            del self.suspects[host]
            events.record(host, events.CLEARED, "heartbeats are back (or the host was "
                                                "fenced or unmanaged meanwhile)")

    def _fence(self, host):
        if self.fence(host, self.rpcapi):
            del self.suspects[host]
        else:
            self.suspects[host] = self.clock() + CONF.ha.fence_retry_interval

    def stop(self):
        self.leadership.stop()


def silent_hosts():
    """{host: why} for compute hosts that should be fenced if they stay silent."""
    cutoff = models.utcnow() - datetime.timedelta(
        seconds=CONF.ha.fence_intervals * CONF.report_interval)
    query = (select(models.Service, models.Host.maintenance_state, models.Cluster.managed_state)
             .join(models.Host, models.Host.name == models.Service.host)
             .outerjoin(models.Cluster, models.Cluster.id == models.Host.cluster_id)
             .where(models.Service.binary == COMPUTE))
    with reader() as session:
        rows = list(session.execute(query))
    silent = {}
    for service, maintenance_state, managed_state in rows:
        if maintenance_state == fencing.FENCED or managed_state == "Unmanaged":
            continue
        if service.forced_down:
            silent[service.host] = "its compute service is forced down"
        elif service.last_seen_up is None or service.last_seen_up < cutoff:
            silent[service.host] = (f"no heartbeat since {service.last_seen_up} "
                                    f"({CONF.ha.fence_intervals} missed)")
    return silent



def for_scheduler():
    """The monitor a scheduler process runs, leading as ``[ha] coordination_url`` elects."""
    return Monitor(election.leadership(CONF.ha.coordination_url), ComputeAPI())
