from oslo_config import cfg

group = cfg.OptGroup("scheduler", help="Choosing hosts for instances.")

opts = [
    cfg.IntOpt("host_subset_size", default=3, min=1,
               help="Pick randomly among this many best-weighed hosts, so concurrent boots "
                    "spread out instead of racing for the same host."),
    cfg.IntOpt("max_attempts", default=3, min=1,
               help="Hosts tried per boot: the chosen one plus alternates if its claim fails."),
    cfg.IntOpt("cache_refresh_interval", default=2, min=0,
               help="Seconds the scheduler reuses its cached view of hosts before re-reading."),
    cfg.IntOpt("lost_build_timeout", default=300, min=10,
               help="Seconds after which a build that never reached a compute host (a crash "
                    "or a lost message) is put in ERROR."),
    cfg.ListOpt("enabled_filters", default=["ComputeFilter", "AvailabilityZoneFilter",
                                             "CoreFilter", "RamFilter", "DiskFilter",
                                             "MaxGuestsFilter"],
                help="Filters a host must pass, in order."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
