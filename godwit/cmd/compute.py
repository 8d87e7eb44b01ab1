"""godwit-compute --host NAME: the worker that owns one hypervisor host."""
from godwit import exception, service
from godwit.cmd import common
from godwit.conf import CONF


def main():
    common.prepare()
    from godwit.compute.manager import ComputeManager
    manager = ComputeManager(CONF.host, CONF.compute.compute_driver)
    try:
        service.run([service.RPCService(CONF.host, "godwit-compute", "compute", manager)])
    except exception.HypervisorError as err:
        raise SystemExit(f"godwit-compute: host {CONF.host} cannot start: {err}") from None
