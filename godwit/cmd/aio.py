"""godwit-aio: a whole cloud in one process, for trying godwit and for development."""
import os
import sys

from oslo_config import cfg

from godwit import service
from godwit.cmd import common
from godwit.conf import CONF

cli_opts = [
    cfg.PortOpt("port", help="API port (default: [api] bind_port, 8774)."),
    cfg.IntOpt("hosts", default=4, min=1, help="Number of compute hosts."),
    cfg.IntOpt("pool-hosts", min=0,
               help="How many of the hosts (the last ones) form one simulated XenServer "
                    "pool with shared storage, in cluster cluster-2, where servers can "
                    "live-migrate; the others get a simulated XenServer each, in cluster-1. "
                    "At most --hosts (default: 2 with 4 hosts or more, else 0)."),
    cfg.StrOpt("driver", choices=["xenapi", "fake"],
               help="Virt driver of the hosts (default: [compute] compute_driver, which "
                    "the all-in-one sets to xenapi: simulated XenServers)."),
]


TRY_COMMANDS = [
    ("godwit-demo", "flavor list"),
    ("godwit-demo", "image list"),
    ("godwit-demo", "server create --flavor m1.tiny --image cirros-0.6.2 --nic none --wait vm1"),
    ("godwit-demo", "server list"),
    ("godwit-demo", "server stop vm1"),
    ("godwit-demo", "server start vm1"),
    ("godwit-demo", "server resize --flavor m1.small --wait vm1"),
    ("godwit-demo", "server resize confirm vm1"),
    ("godwit-admin", "server migration list"),
    ("godwit-demo", "server delete --wait vm1"),
    ("godwit-admin", "hypervisor list"),
    ("godwit-admin", "compute service list"),
]


HOST_KINDS = {"xenapi": "XenServer", "fake": "fake"}
# The pool's size when --pool-hosts is not given and there are hosts enough to keep two
# outside it.
DEFAULT_POOL_HOSTS = 2


def banner(aio):
    """What to do next, with absolute paths so it works from any directory."""
    bin_dir = os.path.dirname(os.path.abspath(sys.argv[0]))
    clouds = os.path.abspath(aio.clouds_yaml)
    commands = [f"  {bin_dir}/openstack --os-cloud {cloud} {args}" for cloud, args in TRY_COMMANDS]
    commands.append(f"  {bin_dir}/godwit --os-cloud godwit-demo server list")
    return "\n".join([
        "",
        f"godwit all-in-one is running: API {aio.base_url}, {aio.host_count} "
        f"{HOST_KINDS[CONF.compute.compute_driver]} hosts, "
        f"state in {os.path.abspath(CONF.data_dir)}",
        *_pool_lines(aio, bin_dir),
        "",
        f"Credentials (admin and demo) are in {clouds}. Try, in another terminal:",
        "",
        f"  export OS_CLIENT_CONFIG_FILE={clouds}",
        *commands,
        "",
        "Press Ctrl-C to stop.",
    ])


def _pool_lines(aio, bin_dir):
    """Where servers can live-migrate, and how (none without a pool)."""
    from godwit.aio import compute_host_names, pool_of
    pool = pool_of(compute_host_names(aio.host_count), aio.pool_hosts)
    if not pool or CONF.compute.compute_driver != "xenapi":
        return []
    return [f"Hosts {', '.join(pool)} form one pool with shared storage (cluster-2): a "
            "server there can live-migrate, e.g.",
            f"  {bin_dir}/godwit --os-cloud godwit-admin server live-migrate --wait SERVER "
            f"{pool[0]}"]


def pool_size(hosts, requested):
    """``--pool-hosts``, or by default a pool of 2 when 2 hosts remain outside it."""
    if requested is None:
        return DEFAULT_POOL_HOSTS if hosts >= DEFAULT_POOL_HOSTS + 2 else 0
    if requested > hosts:
        raise ValueError(f"--pool-hosts ({requested}) cannot be more than --hosts ({hosts})")
    return requested


def set_defaults():
    """Simulated XenServer hosts (unless the config picks the fake driver or real hosts).

    Fewer threads than separate services use: every thread of the all-in-one shares one
    interpreter lock, and past a few threads per pool they only take turns."""
    CONF.set_default("compute_driver", "xenapi", group="compute")
    CONF.set_default("threads", 8, group="api")
    CONF.set_default("executor_thread_pool_size", 8)


def main():
    common.prepare(extra_cli_opts=cli_opts)
    set_defaults()
    if CONF.driver:
        CONF.set_override("compute_driver", CONF.driver, group="compute")
    try:
        pool_hosts = pool_size(CONF.hosts, CONF.pool_hosts)
    except ValueError as err:
        sys.exit(f"godwit-aio: {err}")
    from godwit.aio import AllInOne
    aio = AllInOne(CONF.hosts, CONF.port, pool_hosts, bmcs=True)
    service.run(aio.build(), started=lambda: print(banner(aio), flush=True))
