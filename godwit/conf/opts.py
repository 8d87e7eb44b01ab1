"""Entry point for oslo-config-generator (``oslo.config.opts = godwit``)."""
from godwit.conf import MODULES


def list_opts():
    result = {}
    for module in MODULES:
        result.update(module.list_opts())
    return list(result.items())
