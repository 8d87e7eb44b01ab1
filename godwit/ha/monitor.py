"""The HA monitor: finds dead compute hosts and has them fenced, on the leader only.

Every ``[ha] monitor_interval`` the elected leader (``godwit.ha.election``) looks at each
compute service's last heartbeat. A host whose worker missed ``fence_intervals`` heartbeats
(``[DEFAULT] report_interval`` each), or is forced down, becomes *suspect*; if it is still
silent ``saving_throws`` monitor intervals later it is fenced and its instances recovered
(``godwit.ha.fencing``). A heartbeat during the saving throws clears it. Hosts already
fenced, and hosts of an Unmanaged cluster (godwit keeps its hands off them), are left
alone. A failed fence is tried again after ``fence_retry_interval`` seconds.

The database is the truth, not the leader's memory (``godwit.ha.host_fences``): a new
leader keeps the deadlines its predecessor set, clears the suspects that heartbeat again,
and finishes a fence left half done once its predecessor's claim on it has lapsed
(``fence_takeover_timeout``). Fences run one at a time, across leaders too. Deadlines are
shared between schedulers, so the clock is the wall clock (keep the schedulers' clocks
in sync, as NTP does).
"""
import datetime
import time
import uuid

from oslo_log import log as logging
from sqlalchemy import select

from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.db import models
from godwit.db.session import reader
from godwit.ha import election, events, fencing, host_fences, recovery

LOG = logging.getLogger(__name__)

COMPUTE = "godwit-compute"


class Monitor:
    """``tick()`` is one round. ``clock`` (seconds since the epoch) is replaceable in
    tests; ``name`` tells this monitor's claims from another's."""

    def __init__(self, leadership, rpcapi, fence=fencing.fence_and_recover,
                 clock=time.time, name=None):
        self.leadership = leadership
        self.rpcapi = rpcapi
        self.fence = fence
        self.clock = clock
        self.name = name or f"{CONF.host}:{uuid.uuid4().hex[:8]}"
        self.leading = False

    def tick(self):
        if not self.leadership.is_leader():
            self.leading = False
            return
        if not self.leading:
            self.leading = True
            events.record(CONF.host, events.LEADER,
                          f"this scheduler ({self.name}) runs the HA monitor")
            self._resume_suspicions()
        silent = silent_hosts()
        records = {record.host: record for record in host_fences.pending()}
        self._clear(silent, records)
        self._suspect(silent, records)
        for record in host_fences.pending():
            self._carry_on(record)
        recovery.resend_stalled(self.rpcapi)

    def _now(self, later=0):
        return host_fences.moment(self.clock() + later)

    def _resume_suspicions(self):
        for record in host_fences.pending():
            if record.status == host_fences.SUSPECT:
                events.record(record.host, events.RESUMED,
                              f"suspect since {record.suspect_since} ({record.reason}); "
                              f"fenced at {record.deadline} unless it sends a heartbeat")

    def _clear(self, silent, records):
        for host, record in sorted(records.items()):
            if record.status == host_fences.SUSPECT and host not in silent \
                    and host_fences.clear(record):
                events.record(host, events.CLEARED, "heartbeats are back (or the host was "
                                                    "fenced or unmanaged meanwhile)")

    def _suspect(self, silent, records):
        for host in sorted(set(silent) - set(records)):
            now = self._now()
            deadline = now + datetime.timedelta(
                seconds=CONF.ha.saving_throws * CONF.ha.monitor_interval)
            if host_fences.suspect(host, silent[host], now, deadline):
                events.record(host, events.SUSPECT, silent[host])

    def _carry_on(self, record):
        """Fences (or goes on recovering) the host of ``record`` if it is due and this
        monitor wins the claim on it."""
        if not host_fences.due(record, self.name, self._now()) or not host_fences.claim(
                record, self.name, self._now(CONF.ha.fence_takeover_timeout)):
            return
        if record.status != host_fences.SUSPECT and record.owner not in (None, self.name):
            events.record(record.host, events.RESUMED, _takeover(record))
        if not self.fence(record.host, self.rpcapi, self.name):
            host_fences.retry(record.host, self.name, self._now(CONF.ha.fence_retry_interval))

    def stop(self):
        """Gives up the leadership at once, so that another scheduler takes over now rather
        than when the backend's lock expires."""
        self.leadership.stop()


def _takeover(record):
    if record.status == host_fences.FENCING:
        return (f"{record.owner} began fencing it and did not finish by "
                f"{record.claimed_until}: fencing it again")
    return (f"{record.owner} had it fenced (power-off confirmed) but did not finish "
            f"recovering its instances by {record.claimed_until}: recovering them")


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
