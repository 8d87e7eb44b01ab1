"""godwit-scheduler: picks hosts for instances (RPC topic ``scheduler``)."""
from godwit import service
from godwit.cmd import common
from godwit.conf import CONF


def main():
    common.prepare()
    from godwit.scheduler.manager import SchedulerManager
    service.run([service.RPCService(CONF.host, "godwit-scheduler", "scheduler",
                                    SchedulerManager())])
