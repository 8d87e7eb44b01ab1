from oslo_config import cfg

group = cfg.OptGroup("database", help="Where godwit keeps its state.")

opts = [
    cfg.StrOpt("connection", secret=True,
               help="SQLAlchemy URL. Unset: SQLite file godwit.sqlite in [DEFAULT]data_dir. "
                    "Production: postgresql+psycopg2://... or mysql+pymysql://..."),
    cfg.IntOpt("max_pool_size", default=20, min=1, help="Connections kept per process."),
    cfg.IntOpt("max_overflow", default=40, min=0, help="Extra connections allowed in bursts."),
    cfg.IntOpt("busy_timeout", default=30, min=1,
               help="SQLite only: seconds a writer waits for the database lock."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
