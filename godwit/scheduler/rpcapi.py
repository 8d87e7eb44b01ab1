"""Client side of the scheduler RPC API.

Version history:
    1.0 - select_destinations
"""
from godwit import rpc
from godwit.conf import CONF

TOPIC = "scheduler"
VERSION = "1.0"


class SchedulerAPI:

    def __init__(self):
        self.client = rpc.get_client(TOPIC, VERSION,
                                     version_cap=CONF.upgrade_levels.scheduler or VERSION)

    def select_destinations(self, context, request_spec, instance_uuids):
        """One list of host names per instance: the chosen host first, then alternates.

        Raises NoValidHost (as a RemoteError over a real transport) when nothing fits.
        """
        return self.client.prepare(version="1.0").call(
            context, "select_destinations", request_spec=request_spec,
            instance_uuids=instance_uuids)
