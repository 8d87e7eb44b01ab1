"""What every godwit process does first: parse config, set up logging and RPC defaults."""
import sys

from oslo_log import log as logging

from godwit.conf import CONF


def prepare(argv=None, extra_cli_opts=()):
    """Parses ``argv`` (default: the command line) into the global CONF."""
    from godwit import rpc
    rpc.set_defaults()
    logging.register_options(CONF)
    logging.set_defaults(default_log_levels=logging.get_default_log_levels() + [
        "kombu.connection=ERROR", "waitress=WARN", "waitress.queue=ERROR", "alembic=WARN"])
    CONF.register_cli_opts(list(extra_cli_opts))
    CONF(sys.argv[1:] if argv is None else argv, project="godwit")
    logging.setup(CONF, "godwit")
