"""Configuration: one module per option group, all registered on the global CONF.

oslo.messaging registers some of its own options only on the global object, so godwit
uses ``cfg.CONF`` everywhere instead of private ``ConfigOpts`` instances.
"""
from oslo_config import cfg

from godwit.conf import (
    api,
    compute,
    database,
    ha,
    identity,
    quota,
    scheduler,
    service,
    upgrade_levels,
    xenserver,
)

CONF = cfg.CONF

# In the order the sample config file lists them.
MODULES = (service, api, compute, database, identity, quota, scheduler, upgrade_levels,
           xenserver, ha)

for _module in MODULES:
    _module.register_opts(CONF)
