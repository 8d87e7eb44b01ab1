from oslo_config import cfg

group = cfg.OptGroup("compute", help="The compute worker and its virt driver.")

opts = [
    cfg.StrOpt("compute_driver", default="fake", choices=["fake", "xenapi"],
               help="Virt driver that owns this host: fake (files standing in for VMs) "
                    "or xenapi (XenServer / XCP-ng, see the [xenserver] group)."),
    cfg.FloatOpt("cpu_allocation_ratio", default=16.0, min=0.0,
                 help="Virtual CPUs per physical CPU a host may promise."),
    cfg.FloatOpt("ram_allocation_ratio", default=1.5, min=0.0,
                 help="Memory overcommit ratio."),
    cfg.FloatOpt("disk_allocation_ratio", default=1.0, min=0.0, help="Disk overcommit ratio."),
    cfg.IntOpt("fake_vcpus", default=32, min=1, help="fake driver: vCPUs each host reports."),
    cfg.IntOpt("fake_memory_mb", default=131072, min=1, help="fake driver: memory per host."),
    cfg.IntOpt("fake_disk_gb", default=2000, min=1, help="fake driver: disk per host."),
    cfg.ListOpt("fake_capacity", default=[],
                help="fake driver: per-host capacity overrides, HOST:VCPUS/MEMORY_MB/DISK_GB."),
    cfg.FloatOpt("fake_spawn_seconds", default=0.0, min=0.0,
                 help="fake driver: seconds a boot takes (to see BUILD in tests and demos)."),
    cfg.IntOpt("reconcile_interval", default=60, min=1,
               help="Seconds between checks that repair what a lost message or crash left."),
    cfg.StrOpt("fake_hypervisor_version", default="8.2.1",
               help="fake driver: hypervisor_version reported at start."),
    cfg.StrOpt("fake_instances_path", default="$data_dir/fake-hypervisors",
               help="fake driver: directory holding one directory per host, each with "
                    "the disks of its instances as real files."),
    cfg.FloatOpt("fake_migration_seconds", default=0.0, min=0.0,
                 help="fake driver: seconds the copy of a migration's base disk takes at "
                      "least, standing in for a hypervisor's work (benchmarks/evacuate.py)."),
    cfg.FloatOpt("fake_transfer_rate", default=0.0, min=0.0,
                 help="fake driver: MiB/s a migration copies disk data at (0 = as fast as "
                      "the local disk), to watch progress or cancel in demos and tests."),
    cfg.IntOpt("resize_confirm_window", default=0, min=0,
               help="Seconds after which a resize or migration waiting in VERIFY_RESIZE "
                    "is confirmed automatically (0 = never)."),
    cfg.IntOpt("shutdown_timeout", default=60, min=0,
               deprecated_opts=[cfg.DeprecatedOpt("clean_shutdown_timeout",
                                                  group="xenserver")],
               help="Seconds a guest gets to shut down cleanly when its server is stopped "
                    "(or rebooted softly, or shut down for a migration or a delete); after "
                    "that it is powered off hard. While a stop waits, a start or reboot of "
                    "the server abandons the shutdown and the server keeps running. "
                    "Formerly [xenserver] clean_shutdown_timeout."),
    cfg.BoolOpt("allow_resize_to_same_host", default=False,
                help="Let the scheduler pick an instance's own host for a resize (never "
                     "for a cold migration)."),
    cfg.StrOpt("cluster", default="",
               help="The cluster (uuid, or a name no other cluster has) that a host joins "
                    "when its compute worker registers it for the first time and no "
                    "administrator added it beforehand. Empty: the host is in no cluster. "
                    "A host already known keeps its cluster."),
    cfg.BoolOpt("enable_new_hosts", default=False,
                help="Hosts that register for the first time start Enabled instead of "
                     "Disabled, so the scheduler uses them at once. For labs and the "
                     "all-in-one: in a production cloud leave it off and enable each host "
                     "once it is checked (godwit host update HOST --allocation-state "
                     "Enabled)."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
