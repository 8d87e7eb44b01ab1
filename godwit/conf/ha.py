"""High availability: host evacuation (flush), placement of automatically moved instances,
and recovery of instances from fenced hosts (doc/ha.md)."""
from oslo_config import cfg

group = cfg.OptGroup("ha", help="Host evacuation and recovery from failed hosts.")

NODE_SELECTORS = ("mem", "memprov", "load", "vcpus", "vms")

opts = [
    cfg.StrOpt("default_node_selector", default="mem", choices=NODE_SELECTORS,
               help="How a target host is ranked for an instance moved automatically whose "
                    "node_selector is none or unset: mem (most free memory as the "
                    "hypervisor reports it), memprov (most memory not provisioned to "
                    "instances), load (lowest load average), vcpus (fewest vCPUs of running "
                    "instances), vms (fewest running instances)."),
    # --- flush and unflush (godwit.compute.flush) -----------------------------------------------
    cfg.IntOpt("flush_concurrency", default=4, min=1,
               help="Instances a flush or unflush moves at the same time (a request may "
                    "ask for another number)."),
    cfg.StrOpt("default_migration_method", default="auto",
               choices=("auto", "live", "shutdown", "none"),
               help="How a flush moves an instance whose migration_method is unset: auto "
                    "(live inside its XenServer pool for a running shared-storage instance "
                    "when a host of the pool takes it, else a cold migration to any valid "
                    "host), live (as auto, but such an instance no host of its pool takes "
                    "is shut down instead), shutdown (cold migration: the guest reboots on "
                    "the target), none (it is shut down where it is)."),
    cfg.IntOpt("flush_move_timeout", default=3600, min=1,
               help="Seconds a flush waits for one instance's move before it counts it as "
                    "failed (the move itself goes on; the reconcilers finish it)."),
    # --- the HA monitor (godwit.ha.monitor): detection, fencing, recovery ---------------------
    cfg.StrOpt("coordination_url", secret=True,
               help="tooz backend electing the one scheduler that runs the HA monitor: "
                    "redis://HOST:PORT or zookeeper://HOST:PORT. Unset: this process is "
                    "always the leader, right only for ONE scheduler process (godwit-aio); "
                    "a deployment with several schedulers must set it."),
    cfg.IntOpt("monitor_interval", default=3, min=1,
               help="Seconds between two checks of the compute services' heartbeats."),
    cfg.IntOpt("fence_intervals", default=2, min=1,
               help="A compute host whose worker has missed this many heartbeats "
                    "([DEFAULT] report_interval each), or is forced down, is suspect."),
    cfg.IntOpt("saving_throws", default=2, min=0,
               help="Further monitor intervals a suspect host gets to send a heartbeat "
                    "before it is fenced. With the defaults, a host's instances run "
                    "elsewhere about 35 s after its last heartbeat."),
    cfg.IntOpt("fence_retry_interval", default=30, min=1,
               help="Seconds before fencing a host again after a fence failed."),
    cfg.IntOpt("fence_takeover_timeout", default=120, min=1,
               help="Seconds after which the leader takes over a fence, or the recovery "
                    "after it, that the scheduler which began it has not finished (it died "
                    "or lost the leadership), and runs it again. Must exceed the longest a "
                    "fence takes (about 90 s: three BMC requests of up to 20 s and 30 s of "
                    "waiting for the chassis to report off)."),
    cfg.BoolOpt("recover_without_fence", default=False,
                help="Recover a suspect host's instances even when fencing it failed. "
                     "Dangerous: if the host still runs, two hosts write the same disks."),
    cfg.IntOpt("recovery_retry_interval", default=60, min=1,
               help="Seconds after which the leader sends again a recovery that no host "
                    "has finished (a lost message or a crashed worker)."),
    cfg.StrOpt("ipmi_address",
               help="This compute host's BMC, HOST or HOST:PORT (IPMI over LAN); written "
                    "to the host's row each time the compute worker starts."),
    cfg.StrOpt("ipmi_username", help="User name on this compute host's BMC."),
    cfg.StrOpt("ipmi_password", secret=True, help="Password on this compute host's BMC."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
