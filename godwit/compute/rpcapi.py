"""Client side of the compute RPC API: every call is a cast to ``server=<host>``.

Version history:
    1.0 - build_and_run_instance, start/stop/reboot/terminate_instance
"""
from godwit import rpc
from godwit.conf import CONF

TOPIC = "compute"
VERSION = "1.0"


class ComputeAPI:

    def __init__(self):
        self.client = rpc.get_client(TOPIC, VERSION,
                                     version_cap=CONF.upgrade_levels.compute or VERSION)

    def _cast(self, context, host, method, **kwargs):
        self.client.prepare(server=host, version="1.0").cast(context, method, **kwargs)

    def build_and_run_instance(self, context, host, instance_uuid, alternates):
        """``alternates``: hosts to try, in order, if this host cannot claim the instance."""
        self._cast(context, host, "build_and_run_instance", instance_uuid=instance_uuid,
                   alternates=alternates)

    def start_instance(self, context, host, instance_uuid):
        self._cast(context, host, "start_instance", instance_uuid=instance_uuid)

    def stop_instance(self, context, host, instance_uuid):
        self._cast(context, host, "stop_instance", instance_uuid=instance_uuid)

    def reboot_instance(self, context, host, instance_uuid, hard):
        self._cast(context, host, "reboot_instance", instance_uuid=instance_uuid, hard=hard)

    def terminate_instance(self, context, host, instance_uuid):
        self._cast(context, host, "terminate_instance", instance_uuid=instance_uuid)
