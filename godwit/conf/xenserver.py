from oslo_config import cfg

group = cfg.OptGroup("xenserver", help="The xenapi virt driver: XenServer / XCP-ng hosts "
                                       "driven through XAPI (see doc/xenserver.md).")

opts = [
    cfg.URIOpt("connection_url", default="https://127.0.0.1/", schemes=["http", "https"],
               help="XAPI URL of the pool master of the pool this host belongs to."),
    cfg.DictOpt("connection_urls", default={},
                help="Per godwit host XAPI URLs, HOST:URL, overriding connection_url (for "
                     "several hosts in one process, as in the all-in-one)."),
    cfg.StrOpt("connection_username", default="root", help="XAPI user name."),
    cfg.StrOpt("connection_password", default="", secret=True, help="XAPI password."),
    cfg.IntOpt("connection_concurrent", default=5, min=1,
               help="XAPI sessions a compute worker keeps open at most (calls beyond that "
                    "wait for a free session)."),
    cfg.FloatOpt("connection_timeout", default=30.0, min=1.0,
                 help="Seconds a single XAPI call may take on the wire before the host "
                      "counts as unreachable."),
    cfg.StrOpt("host_name_label", default="",
               help="name_label of this worker's host in the pool (empty: the godwit host "
                    "name; ignored when the pool has one host)."),
    cfg.StrOpt("sr_uuid", default="",
               help="SR a migration's destination puts the disks it receives in, and whose "
                    "size the host reports (empty: the pool's default SR). A new server's "
                    "disk is a clone in its template's SR."),
    cfg.FloatOpt("task_poll_interval", default=0.5, min=0.01,
                 help="Longest wait, in seconds, between two checks of a running XAPI task. "
                      "The first checks come sooner (after 0.05 s, then a quarter of the "
                      "time the task has run so far), so short tasks are seen done at once."),
    cfg.StrOpt("staging_dir", default="/images/godwit",
               help="Directory on every dom0 where a migration's destination receives the "
                    "VHD files before they move into its SR (needs room for the largest "
                    "disk; must be the same path on every host)."),
    cfg.StrOpt("rsync_transport", default="ssh", choices=["ssh", "local"],
               help="How the migration plugin's rsync reaches the destination dom0: ssh "
                    "(production: dom0-to-dom0 root ssh keys) or local (the destination's "
                    "staging_dir is on the same filesystem: simulated hosts only)."),
    cfg.StrOpt("rsync_ssh_user", default="root", help="User rsync logs in as over ssh."),
    cfg.IntOpt("simulator_guest_write_rate", default=262144, min=0,
               help="All-in-one only: bytes per second the guest of each running VM of a "
                    "simulated XenServer writes to its disk (so a migration has a delta "
                    "to copy)."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
