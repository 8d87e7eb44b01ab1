import socket

from oslo_config import cfg

cli_opts = [
    cfg.StrOpt("host", default=socket.gethostname(), sample_default="<hostname>",
               help="Name of this node; compute workers listen on topic compute, server=host."),
    cfg.StrOpt("data-dir", dest="data_dir", default="data",
               help="Directory for the embedded SQLite database, clouds.yaml and other state."),
]

opts = [
    cfg.IntOpt("report_interval", default=10, min=1,
               help="Seconds between service heartbeats written to the services table."),
    cfg.IntOpt("service_down_time", default=60, min=1,
               help="A service whose last heartbeat is older than this many seconds is down."),
    cfg.IntOpt("graceful_shutdown_timeout", default=60, min=0,
               help="Seconds to wait for in-flight work when a service gets SIGTERM."),
]


def register_opts(conf):
    """``--host`` and ``--data-dir`` are command-line flags of godwit's own commands.

    A tool that parsed the command line before importing godwit (the oslo config and
    policy generators) gets them as ordinary options instead.
    """
    try:
        conf.register_cli_opts(cli_opts)
    except cfg.ArgsAlreadyParsedError:
        conf.register_opts(cli_opts)
    conf.register_opts(opts)


def list_opts():
    return {"DEFAULT": cli_opts + opts}
