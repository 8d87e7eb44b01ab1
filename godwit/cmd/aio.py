"""godwit-aio: a whole cloud in one process, for trying godwit and for development."""
from oslo_config import cfg

from godwit import service
from godwit.cmd import common
from godwit.conf import CONF

cli_opts = [
    cfg.PortOpt("port", help="API port (default: [api] bind_port, 8774)."),
    cfg.IntOpt("hosts", default=3, min=1, help="Number of fake hypervisor hosts."),
]


def banner(aio):
    clouds = aio.clouds_yaml
    return f"""
godwit all-in-one is running: API {aio.base_url}, {aio.host_count} fake hosts, data in {
        CONF.data_dir}

Credentials (admin and demo) are in {clouds}. Try, in another terminal:

  export OS_CLIENT_CONFIG_FILE={clouds}
  .venv/bin/openstack --os-cloud godwit-demo flavor list
  .venv/bin/openstack --os-cloud godwit-demo image list
  .venv/bin/openstack --os-cloud godwit-demo server create --flavor m1.tiny --image cirros-0.6.2 --nic none --wait vm1
  .venv/bin/openstack --os-cloud godwit-demo server list
  .venv/bin/openstack --os-cloud godwit-demo server stop vm1
  .venv/bin/openstack --os-cloud godwit-demo server start vm1
  .venv/bin/openstack --os-cloud godwit-demo server delete --wait vm1
  .venv/bin/openstack --os-cloud godwit-admin hypervisor list
  .venv/bin/openstack --os-cloud godwit-admin compute service list
  .venv/bin/godwit --os-cloud godwit-demo server list

Press Ctrl-C to stop.
"""


def main():
    common.prepare(extra_cli_opts=cli_opts)
    from godwit.aio import AllInOne
    aio = AllInOne(CONF.hosts, CONF.port)
    service.run(aio.build(), started=lambda: print(banner(aio), flush=True))
