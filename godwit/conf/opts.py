"""Entry point for oslo-config-generator (``oslo.config.opts = godwit``)."""
from godwit.conf import (
    api,
    compute,
    coordination,
    database,
    identity,
    quota,
    scheduler,
    service,
    upgrade_levels,
)


def list_opts():
    result = {}
    for module in (service, api, compute, coordination, database, identity, quota, scheduler,
                   upgrade_levels):
        result.update(module.list_opts())
    return list(result.items())
