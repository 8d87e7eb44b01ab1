"""The scheduler's cached view of hosts.

Re-read from the database at most every ``cache_refresh_interval`` seconds. Between reads
each choice is subtracted locally, so a burst of boots spreads out instead of piling onto
the host that looked emptiest at the last read. The compute claim stays the final word.
"""
import threading
import time

from godwit.compute import capabilities
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy
from godwit.scheduler.candidates import Ranking


class HostState:

    def __init__(self, host, service, service_up, max_guests_limit, placement_states=(),
                 cluster_managed=True, availability_zone=None):
        self.name = host.name
        self.availability_zone = availability_zone
        self.hypervisor_type = host.hypervisor_type
        self.allocation_state = host.allocation_state
        # The allocation states of the host's cluster, pod and zone (none if in no cluster).
        self.placement_states = placement_states
        # False while the host's cluster is Unmanaged (its worker leaves the hypervisor alone).
        self.cluster_managed = cluster_managed
        self.maintenance_state = host.maintenance_state
        self.service_up = service_up
        self.service_disabled = service is None or service.disabled
        self.free_vcpus = host.vcpus * host.cpu_allocation_ratio - host.vcpus_used
        self.free_memory_mb = host.memory_mb * host.ram_allocation_ratio - host.memory_mb_used
        self.free_disk_gb = host.disk_gb * host.disk_allocation_ratio - host.disk_gb_used
        # Guests as the claims count them: an instance, plus each open migration's other side.
        self.running_vms = host.running_vms
        self.max_guests_limit = max_guests_limit

    def consume(self, spec):
        self.free_vcpus -= spec["vcpus"]
        self.free_memory_mb -= spec["memory_mb"]
        self.free_disk_gb -= spec["disk_gb"]
        self.running_vms += 1


class HostStateCache:

    def __init__(self):
        self.lock = threading.Lock()
        self._ranking = Ranking([])
        self._read_at = None

    def ranking(self):
        """The states, also in weight order (a candidates.Ranking); re-read if stale.
        Call with ``self.lock`` held."""
        if (self._read_at is None
                or time.monotonic() - self._read_at >= CONF.scheduler.cache_refresh_interval):
            self.load(_read_states())
        return self._ranking

    def load(self, states):
        """Replaces the cached states, as a read from the database does; call with
        ``self.lock`` held."""
        self._ranking = Ranking(states)
        self._read_at = time.monotonic()


def _read_states():
    """One query each for services, capabilities, the hierarchy, unmanaged clusters, zones
    and hosts, however many hosts there are."""
    services = {s.host: s for s in db.service_list(binary="godwit-compute")}
    limits = capabilities.table()
    clusters = hierarchy.cluster_states()
    unmanaged = hierarchy.unmanaged_cluster_ids()
    zones = hierarchy.host_zones()
    return [HostState(host, services.get(host.name),
                      host.name in services and db.service_is_up(services[host.name],
                                                                 CONF.service_down_time),
                      limits.lookup(host.hypervisor_type, host.hypervisor_version)
                      .limit("max_guests_limit"), clusters.get(host.cluster_id, ()),
                      host.cluster_id not in unmanaged,
                      zones.get(host.name) or CONF.api.default_availability_zone)
            for host in db.host_list()]
