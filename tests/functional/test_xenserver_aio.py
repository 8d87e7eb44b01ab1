"""The all-in-one on simulated XenServer hosts (what ``make run`` starts), driven by the
unmodified ``openstack`` CLI: a resize moves the VHD chain between two simulators with
rsync, and every block the simulated guest wrote is on the disk the server ends on."""
import json

import XenAPI

from godwit.conf import CONF
from godwit.virt.xenapi.simulator import guest, storage
from tests.functional.test_openstack_clients import _openstack

AIO_OVERRIDES = {("compute_driver", "compute"): "xenapi",
                 ("simulator_guest_write_rate", "xenserver"): 4 * 1024 * 1024,
                 ("task_poll_interval", "xenserver"): 0.05}


class SimulatedHost:
    """A look inside the simulator of one all-in-one host."""

    def __init__(self, aio, host):
        (self.simulator,) = [svc.simulator for svc in aio.services
                             if getattr(svc, "simulator", None)
                             and svc.simulator.hosts == (host,)]
        session = XenAPI.Session(self.simulator.url)
        session.login_with_password(CONF.xenserver.connection_username,
                                    CONF.xenserver.connection_password, "2.21", "tests")
        self.xenapi = session.xenapi

    def vm(self, name):
        (ref,) = self.xenapi.VM.get_by_name_label(name)
        return ref

    def names(self):
        return sorted(record["name_label"] for record in self.xenapi.VM.get_all_records().values()
                      if not record["is_a_template"] and not record["is_control_domain"])

    def journal(self, name):
        return guest.journal(self.simulator.state_dir, self.xenapi.VM.get_uuid(self.vm(name)))

    def verify(self, name, journal):
        vdi = self.xenapi.VBD.get_VDI(self.xenapi.VM.get_VBDs(self.vm(name))[0])
        with self.simulator.store.lock:
            path = storage.vdi_path(self.simulator.store, vdi)
        assert journal, "the guest wrote nothing"
        return guest.verify(journal, path)


def _host(cloud, server_id):
    server = cloud.admin().get(f"/v2.1/servers/{server_id}").json()["server"]
    return server["OS-EXT-SRV-ATTR:host"], server["status"]


def test_openstack_cli_suspend_resize_confirm_and_revert_on_simulated_xenservers(aio, cloud):
    created = json.loads(_openstack(
        cloud, "godwit-demo", "server", "create", "--flavor", "m1.tiny", "--image",
        "cirros-0.6.2", "--nic", "none", "--wait", "-f", "json", "xen-vm"))
    server_id = created["id"]
    source_name, _ = _host(cloud, server_id)
    source = SimulatedHost(aio, source_name)
    assert source.names() == [server_id]
    _openstack(cloud, "godwit-demo", "server", "suspend", "xen-vm")
    cloud.demo().wait_for_status(server_id, "SUSPENDED")
    assert source.xenapi.VM.get_power_state(source.vm(server_id)) == "Suspended"
    _openstack(cloud, "godwit-demo", "server", "resume", "xen-vm")
    cloud.demo().wait_for_status(server_id, "ACTIVE")
    assert source.xenapi.VM.get_power_state(source.vm(server_id)) == "Running"

    _openstack(cloud, "godwit-demo", "server", "resize", "--flavor", "m1.small", "--wait",
               "xen-vm")
    dest_name, status = _host(cloud, server_id)
    assert status == "VERIFY_RESIZE" and dest_name != source_name
    dest = SimulatedHost(aio, dest_name)
    assert dest.names() == [server_id]
    assert source.names() == [server_id + "-orig"]
    written = source.journal(server_id + "-orig")
    assert source.verify(server_id + "-orig", written) == []

    _openstack(cloud, "godwit-demo", "server", "resize", "confirm", "xen-vm")
    cloud.demo().wait_for_status(server_id, "ACTIVE")
    assert source.names() == []
    _openstack(cloud, "godwit-demo", "server", "stop", "xen-vm")
    cloud.demo().wait_for_status(server_id, "SHUTOFF")
    assert dest.verify(server_id, {**written, **dest.journal(server_id)}) == []

    _openstack(cloud, "godwit-demo", "server", "start", "xen-vm")
    cloud.demo().wait_for_status(server_id, "ACTIVE")
    _openstack(cloud, "godwit-admin", "server", "migrate", "--wait", server_id)
    assert _host(cloud, server_id)[1] == "VERIFY_RESIZE"
    _openstack(cloud, "godwit-demo", "server", "resize", "revert", "xen-vm")
    cloud.demo().wait_for_status(server_id, "ACTIVE")
    assert _host(cloud, server_id)[0] == dest_name
    _openstack(cloud, "godwit-demo", "server", "stop", "xen-vm")
    cloud.demo().wait_for_status(server_id, "SHUTOFF")
    assert dest.verify(server_id, {**written, **dest.journal(server_id)}) == []

    _openstack(cloud, "godwit-demo", "server", "delete", "--wait", "xen-vm")
    assert dest.names() == []
