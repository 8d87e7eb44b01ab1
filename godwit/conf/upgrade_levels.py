from oslo_config import cfg

group = cfg.OptGroup("upgrade_levels",
                     help="Cap RPC versions while a rolling upgrade has old and new services.")

opts = [
    cfg.StrOpt("compute", help="Highest compute RPC API version to send, e.g. 1.0."),
    cfg.StrOpt("scheduler", help="Highest scheduler RPC API version to send, e.g. 1.0."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
