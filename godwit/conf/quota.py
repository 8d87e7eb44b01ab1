from oslo_config import cfg

group = cfg.OptGroup("quota", help="Per-project limits (-1: unlimited).")

opts = [
    cfg.IntOpt("instances", default=10, min=-1, help="Servers per project."),
    cfg.IntOpt("cores", default=20, min=-1, help="vCPUs per project."),
    cfg.IntOpt("ram", default=51200, min=-1, help="Memory (MiB) per project."),
    cfg.IntOpt("metadata_items", default=128, min=-1, help="Metadata items per server."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
