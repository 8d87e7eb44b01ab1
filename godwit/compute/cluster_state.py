"""Whether this compute worker talks to its hypervisor: only while its cluster is Managed.

An admin unmanages a cluster to upgrade or service its hypervisors. Its workers then close
their hypervisor connections, skip the reconciler and refuse instance work (the API already
answers 409), but keep their heartbeats: the services stay up. Managed again, they
reconnect, record the hypervisor's (maybe new) version, settle interrupted tasks as at a
start, and take every VM's power state from the hypervisor, which may have changed behind
their back.

The database is the truth: a worker follows its cluster's ``managed_state`` when told
(``cluster_managed_changed``), at every heartbeat interval, and at start, so a lost cast
only delays the change.
"""
import threading

from oslo_log import log as logging

from godwit import exception
from godwit.compute import reconcile, resource_tracker
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy

LOG = logging.getLogger(__name__)


def managed_cluster(host):
    """(managed?, cluster name) for ``host``; a host in no cluster is managed. A host not
    registered yet is in the cluster ``[compute] cluster`` names, if any."""
    cluster = hierarchy.cluster_of_host(host)
    if cluster is None and CONF.compute.cluster and not _registered(host):
        cluster = hierarchy.cluster_by_ref(CONF.compute.cluster)
    if cluster is None:
        return True, None
    return cluster.managed_state != hierarchy.UNMANAGED, cluster.name


def _registered(host):
    try:
        db.host_get(host)
    except exception.HostNotFound:
        return False
    return True


class HypervisorLink:
    """A worker's connection state; ``follow`` makes it match the cluster's managed state."""

    def __init__(self, manager):
        self.manager = manager
        self.connected = False
        self._lock = threading.Lock()

    def start(self):
        """At start: connects (a hypervisor error then stops the worker) unless the
        cluster is Unmanaged, in which case the worker waits without its hypervisor."""
        with self._lock:
            managed, cluster = managed_cluster(self.manager.host)
            if managed:
                self._connect()
            else:
                LOG.warning("Cluster %s is unmanaged: host %s does not connect to its "
                            "hypervisor until it is managed again", cluster, self.manager.host)

    def follow(self):
        """Connects or disconnects if the cluster's managed state says so. A hypervisor
        still unreachable when the cluster is managed again is retried next time."""
        with self._lock:
            managed, cluster = managed_cluster(self.manager.host)
            if managed and not self.connected:
                LOG.info("Cluster %s is managed again: host %s reconnects", cluster,
                         self.manager.host)
                try:
                    self._connect()
                except exception.HypervisorError as err:
                    LOG.warning("Host %s cannot reconnect to its hypervisor yet: %s",
                                self.manager.host, err)
                    return
                reconcile.sync_power_states(self.manager)
            elif not managed and self.connected:
                self._disconnect(cluster)

    def _connect(self):
        """Connects and settles what was left in between, as at a start."""
        manager = self.manager
        manager.driver.init_host()
        resource_tracker.register_host(manager.driver)
        self.connected = True
        reconcile.recover_all(manager)

    def _disconnect(self, cluster):
        self.connected = False
        self.manager.driver.disconnect()
        LOG.warning("Cluster %s is unmanaged: host %s closed its hypervisor connections",
                    cluster, self.manager.host)

    def when_connected(self, func):
        """``func`` as a task that does nothing while the worker is disconnected."""
        def task():
            if self.connected:
                func()
        return task

    def refuses(self, instance_uuid):
        """True (and logged) if instance work must wait: the worker is disconnected. The
        task the API set is settled from the hypervisor when it reconnects."""
        if not self.connected:
            LOG.warning("Host %s is not connected to its hypervisor (cluster unmanaged): "
                        "instance %s waits until it is managed again", self.manager.host,
                        instance_uuid)
        return not self.connected
