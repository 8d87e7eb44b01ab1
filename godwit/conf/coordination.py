from oslo_config import cfg

group = cfg.OptGroup("coordination", help="Leader election and cross-process locks (tooz).")

opts = [
    cfg.StrOpt("backend_url", secret=True,
               help="tooz URL, e.g. redis://127.0.0.1:6379 or zookeeper://... Unset: "
                    "in-process coordination, valid only when every service is one process."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
