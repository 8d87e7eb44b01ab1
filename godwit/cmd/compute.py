"""godwit-compute --host NAME: the worker that owns one hypervisor host."""
from godwit import service
from godwit.cmd import common
from godwit.conf import CONF


def main():
    common.prepare()
    from godwit.compute.manager import ComputeManager
    manager = ComputeManager(CONF.host, CONF.compute.compute_driver)
    service.run([service.RPCService(CONF.host, "godwit-compute", "compute", manager)])
