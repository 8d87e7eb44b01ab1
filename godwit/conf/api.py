from oslo_config import cfg

group = cfg.OptGroup("api", help="The HTTP API service.")

opts = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1", help="Address the API listens on."),
    cfg.PortOpt("bind_port", default=8774, help="Port the API listens on."),
    cfg.IntOpt("threads", default=32, min=1, help="WSGI worker threads."),
    cfg.IntOpt("connection_limit", default=1000, min=1,
               help="Open client connections the API accepts; past it new ones wait."),
    cfg.StrOpt("public_endpoint",
               help="Base URL clients use to reach the API (as listed in the service catalog). "
                    "Unset: http://<bind_host>:<bind_port>."),
    cfg.IntOpt("max_limit", default=1000, min=1, help="Most items one list call returns."),
    cfg.IntOpt("max_body_size", default=114688, min=1024, help="Largest request body in bytes."),
    cfg.StrOpt("default_availability_zone", default="nova",
               help="Availability zone reported for hosts that are in no zone."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
