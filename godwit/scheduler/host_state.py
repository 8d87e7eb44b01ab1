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


class HostState:

    def __init__(self, host, service, service_up, max_guests_limit, placement_states=()):
        self.name = host.name
        self.hypervisor_type = host.hypervisor_type
        self.allocation_state = host.allocation_state
        # The allocation states of the host's cluster, pod and zone (none if in no cluster).
        self.placement_states = placement_states
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
        self._states = []
        self._read_at = 0.0

    def states(self):
        """Call with ``self.lock`` held."""
        if time.monotonic() - self._read_at >= CONF.scheduler.cache_refresh_interval:
            self._states = _read_states()
            self._read_at = time.monotonic()
        return self._states


def _read_states():
    """One query each for services, capabilities, the hierarchy and hosts, however many
    hosts there are."""
    services = {s.host: s for s in db.service_list(binary="godwit-compute")}
    limits = capabilities.table()
    clusters = hierarchy.cluster_states()
    return [HostState(host, services.get(host.name),
                      host.name in services and db.service_is_up(services[host.name],
                                                                 CONF.service_down_time),
                      limits.lookup(host.hypervisor_type, host.hypervisor_version)
                      .limit("max_guests_limit"), clusters.get(host.cluster_id, ()))
            for host in db.host_list()]
