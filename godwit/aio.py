"""The all-in-one cloud: API, scheduler and N compute hosts as threads of one process.

Used by ``godwit-aio`` and by the functional tests. Embedded defaults: the in-memory
transport and a SQLite database in the data directory. With the xenapi driver, each host
without a ``[xenserver] connection_urls`` entry gets a simulated XenServer of its own
(``godwit.virt.xenapi.simulator``, state in ``<data_dir>/xenserver/<host>``), and the
migration plugin's rsync copies between them on the local filesystem. Its hosts join an
Enabled zone ``nova`` > pod ``pod-1`` > cluster ``cluster-1``, Enabled themselves, so the
cloud boots servers out of the box (doc/placement.md).

The last ``pool_hosts`` hosts are instead the hosts of ONE simulated pool with a shared SR
(state in ``<data_dir>/xenserver/pool``), in cluster ``cluster-2`` of the same pod: their
servers can live-migrate between them (doc/live-migration.md).
"""
import functools
import os

from godwit import seed, service
from godwit.conf import CONF
from godwit.db import migration
from godwit.ha import lab
from godwit.virt import driver


def compute_host_names(count):
    return [f"compute-{index}" for index in range(1, count + 1)]


class SimulatorService:
    """A running XAPI simulator, stopped (its state saved) when the all-in-one stops."""

    def __init__(self, simulator):
        self.simulator = simulator

    def start(self):
        """Already running: the compute workers needed it to start."""

    def stop(self):
        """Keeps answering until the workers have finished (``wait``)."""

    def wait(self):
        self.simulator.stop()


def pool_of(hosts, pool_hosts):
    """The hosts that form the simulated pool: the last ``pool_hosts`` of ``hosts``."""
    return hosts[len(hosts) - pool_hosts:] if pool_hosts else []


def start_simulators(hosts, pool_hosts=0):
    """Starts a simulated XenServer for each xenapi host that has no XAPI URL configured,
    and one simulated pool for the last ``pool_hosts`` of them (if none has a URL)."""
    if CONF.compute.compute_driver != "xenapi":
        return []
    data_dir = os.path.abspath(CONF.data_dir)  # the dom0 plugin takes absolute paths only
    urls = dict(CONF.xenserver.connection_urls)
    pool = pool_of(hosts, pool_hosts)
    # (state directory, the simulated pool's hosts): one per lone host, and the pool.
    simulated = [(host, (host,)) for host in hosts if host not in pool and host not in urls]
    if pool and not any(host in urls for host in pool):
        simulated.append(("pool", tuple(pool)))
    services = []
    for directory, members in simulated:
        simulator = _simulator(os.path.join(data_dir, "xenserver", directory), members)
        urls.update(dict.fromkeys(members, simulator.start().url))
        services.append(SimulatorService(simulator))
    if services:
        CONF.set_override("connection_urls", urls, group="xenserver")
        CONF.set_default("staging_dir", os.path.join(data_dir, "xenserver", "staging"),
                         group="xenserver")
        CONF.set_default("rsync_transport", "local", group="xenserver")
    return services


def _simulator(state_dir, hosts):
    from godwit.virt.xenapi.simulator import Simulator
    config = CONF.xenserver
    return Simulator(state_dir, hosts=hosts, username=config.connection_username,
                     password=config.connection_password,
                     guest_write_rate=config.simulator_guest_write_rate)


def forget_simulators():
    """Drops what ``start_simulators`` configured (tests start several clouds in turn)."""
    CONF.clear_override("connection_urls", group="xenserver")
    for name in ("staging_dir", "rsync_transport"):
        CONF.clear_default(name, group="xenserver")


def enable_new_hosts(cluster):
    """The all-in-one's hosts join ``cluster`` Enabled when they first register (a lab
    has nobody to enable them); a config file may still say otherwise."""
    CONF.set_default("enable_new_hosts", True, group="compute")
    CONF.set_default("cluster", cluster, group="compute")


def forget_new_hosts():
    """Drops what ``enable_new_hosts`` configured (tests start several clouds in turn)."""
    for name in ("enable_new_hosts", "cluster"):
        CONF.clear_default(name, group="compute")


def _compute_worker(host):
    from godwit.compute.manager import ComputeManager
    return service.RPCService(host, "godwit-compute", "compute",
                              ComputeManager(host, CONF.compute.compute_driver))


class AllInOne:
    """``start()`` binds the API port first, so port 0 (any free port) works for tests."""

    def __init__(self, host_count, port=None, pool_hosts=0, bmcs=False):
        """``bmcs``: give each host a virtual BMC that powers it off and on again, a new
        compute worker starting at each power-on (godwit.ha.lab)."""
        if pool_hosts > host_count:
            raise ValueError(f"{pool_hosts} pool hosts is more than the {host_count} hosts")
        self.host_count = host_count
        self.pool_hosts = pool_hosts
        self.bmcs = bmcs
        self.port = CONF.api.bind_port if port is None else port
        self.services = []
        self.clouds_yaml = None
        self.api = None

    @property
    def base_url(self):
        return CONF.api.public_endpoint or f"http://{CONF.api.bind_host}:{self.api.port}"

    def build(self):
        """Binds the API and prepares the database, accounts and services (not started)."""
        from godwit.api import app
        from godwit.identity import bootstrap
        from godwit.scheduler.manager import SchedulerManager
        self.api = service.WSGIService(app.build_app(), CONF.api.bind_host, self.port,
                                       CONF.api.threads)
        CONF.set_default("public_endpoint", self.base_url, group="api")
        os.makedirs(CONF.data_dir, exist_ok=True)
        migration.upgrade()
        seed.ensure_defaults()
        hosts = compute_host_names(self.host_count)
        self._place(hosts)
        self.clouds_yaml = bootstrap.ensure_default_accounts(CONF.data_dir)
        self.services = [service.RPCService(CONF.host, "godwit-scheduler", "scheduler",
                                            SchedulerManager())]
        simulators = start_simulators(hosts, self.pool_hosts)
        self.services += simulators + self._computes(hosts, simulators)
        self.services.append(self.api)
        return self.services

    def _computes(self, hosts, simulators):
        """A compute worker per host; with BMCs, each inside a simulated host that its
        BMC powers (a new worker at each power-on), and the BMCs' service."""
        if not self.bmcs:
            return [_compute_worker(name) for name in hosts]
        pools = {host: svc.simulator for svc in simulators for host in svc.simulator.hosts}
        simulated = {name: lab.SimulatedHost(name, functools.partial(_compute_worker, name),
                                             pools.get(name))
                     for name in hosts}
        return [*simulated.values(), lab.LabBMCs(CONF.data_dir, simulated)]

    def _place(self, hosts):
        """Hosts join cluster-1 as they register, but the pool's, put in cluster-2 now."""
        hypervisor_type = driver.driver_class(CONF.compute.compute_driver).hypervisor_type
        enable_new_hosts(seed.ensure_default_hierarchy(hypervisor_type))
        pool = pool_of(hosts, self.pool_hosts)
        if pool:
            seed.place_hosts(pool, seed.ensure_default_hierarchy(hypervisor_type,
                                                                 seed.POOL_CLUSTER),
                             hypervisor_type)

    def start(self):
        for svc in self.build():
            svc.start()

    def stop(self):
        service.stop_all(self.services, CONF.graceful_shutdown_timeout)
        forget_new_hosts()
        if any(isinstance(svc, SimulatorService) for svc in self.services):
            forget_simulators()
