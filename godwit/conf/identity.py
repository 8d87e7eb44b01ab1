from oslo_config import cfg

group = cfg.OptGroup("identity", help="The built-in Keystone v3 subset.")

opts = [
    cfg.IntOpt("token_expiration", default=3600, min=60, help="Token lifetime in seconds."),
    cfg.IntOpt("password_hash_rounds", default=100000, min=1000,
               help="PBKDF2-SHA256 iterations used to store passwords."),
    cfg.StrOpt("region", default="RegionOne", help="Region name in the service catalog."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
