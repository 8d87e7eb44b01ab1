"""Client side of the compute RPC API: every call is a cast to ``server=<host>``.

Version history:
    1.0 - build_and_run_instance, start/stop/reboot/terminate_instance
    1.1 - prepare_migration, advance_migration
    1.2 - suspend_instance, resume_instance
    1.3 - live_migrate_instance
    1.4 - cluster_managed_changed
    1.5 - refresh_firewall
    1.6 - run_host_flush
    1.7 - recover_instance
    1.8 - prepare_migration takes task_token
"""
from godwit import rpc
from godwit.conf import CONF

TOPIC = "compute"
VERSION = "1.8"


class ComputeAPI:

    def __init__(self):
        self.client = rpc.get_client(TOPIC, VERSION,
                                     version_cap=CONF.upgrade_levels.compute or VERSION)

    def _cast(self, context, host, method, version="1.0", **kwargs):
        self.client.prepare(server=host, version=version).cast(context, method, **kwargs)

    def _can_send(self, version):
        """Whether ``[upgrade_levels] compute`` lets casts of ``version`` go out."""
        return self.client.can_send_version(version)

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

    def suspend_instance(self, context, host, instance_uuid):
        self._cast(context, host, "suspend_instance", version="1.2", instance_uuid=instance_uuid)

    def resume_instance(self, context, host, instance_uuid):
        self._cast(context, host, "resume_instance", version="1.2", instance_uuid=instance_uuid)

    def terminate_instance(self, context, host, instance_uuid):
        self._cast(context, host, "terminate_instance", instance_uuid=instance_uuid)

    def prepare_migration(self, context, host, instance_uuid, new_flavor, alternates,
                          task_token=None):
        """To a destination: claim ``new_flavor`` and start migrating the instance here.

        ``task_token`` is the instance's for this request: the destination ignores the cast
        once another request has replaced it. Workers older than 1.8 get the cast without.
        """
        if task_token is not None and self._can_send("1.8"):
            self._cast(context, host, "prepare_migration", version="1.8",
                       instance_uuid=instance_uuid, new_flavor=new_flavor,
                       alternates=alternates, task_token=task_token)
            return
        self._cast(context, host, "prepare_migration", version="1.1",
                   instance_uuid=instance_uuid, new_flavor=new_flavor, alternates=alternates)

    def live_migrate_instance(self, context, host, instance_uuid, migration_uuid):
        """To the source: move the running instance as the live migration says."""
        self._cast(context, host, "live_migrate_instance", version="1.3",
                   instance_uuid=instance_uuid, migration_uuid=migration_uuid)

    def advance_migration(self, context, host, migration):
        """To the host the migration names: run your next step of it."""
        self._cast(context, host, "advance_migration", version="1.1",
                   migration_uuid=migration.uuid, instance_uuid=migration.instance_uuid)

    def cluster_managed_changed(self, context, host, cluster_uuid):
        """To a host of the cluster: connect to or leave your hypervisor, as the cluster's
        managed state now says (the worker reads it from the database)."""
        self._cast(context, host, "cluster_managed_changed", version="1.4",
                   cluster_uuid=cluster_uuid)

    def refresh_firewall(self, context, host, instance_uuids):
        """To a host running these instances: their security group rules changed; apply
        them again (or remove them, if an instance no longer runs there)."""
        self._cast(context, host, "refresh_firewall", version="1.5",
                   instance_uuids=instance_uuids)

    def run_host_flush(self, context, host):
        """To the host being flushed or unflushed: run (or resume) what its flush row says."""
        self._cast(context, host, "run_host_flush", version="1.6")

    def recover_instance(self, context, host, instance_uuid, migration_uuid):
        """To a target host: start this instance of a fenced host here, as the recovery
        (an ``evacuation`` migration) says."""
        self._cast(context, host, "recover_instance", version="1.7",
                   instance_uuid=instance_uuid, migration_uuid=migration_uuid)
