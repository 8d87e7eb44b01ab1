"""A compute worker writes its host's BMC details from [ha] at every start."""
from godwit.compute.manager import ComputeManager
from godwit.conf import CONF
from godwit.db import api as db


def _start_worker(**bmc):
    for name, value in bmc.items():
        CONF.set_override(name, value, group="ha")
    try:
        ComputeManager("hv1", "fake").init_host()
    finally:
        for name in bmc:
            CONF.clear_override(name, group="ha")


def _bmc():
    host = db.host_get("hv1")
    return host.ipmi_address, host.ipmi_username, host.ipmi_password


def test_each_start_rewrites_the_bmc_from_the_config(sqlite_db):
    _start_worker(ipmi_address="10.0.0.5", ipmi_username="admin", ipmi_password="one")
    assert _bmc() == ("10.0.0.5", "admin", "one")
    _start_worker(ipmi_address="10.0.0.6:6230", ipmi_username="root", ipmi_password="two")
    assert _bmc() == ("10.0.0.6:6230", "root", "two")


def test_a_config_without_bmc_keeps_what_an_admin_recorded(sqlite_db):
    _start_worker(ipmi_address="10.0.0.5", ipmi_username="admin", ipmi_password="one")
    _start_worker()
    assert _bmc() == ("10.0.0.5", "admin", "one")
