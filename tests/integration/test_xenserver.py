"""Resize between two simulated XenServers, everything in separate processes.

Each ``godwit-compute`` drives its own ``godwit-xapi-sim`` process through the real XenAPI
client; the dom0 migration plugin moves the VHD chain between the simulators' SR
directories with real rsync. The simulated guests keep writing blocks to their disks
while the migration runs, and journal the checksum of every block they wrote: the tests
check that each of those blocks reads back the same from the disk the instance ends on.
"""
import os
import signal
import subprocess
import time

import pytest
import XenAPI

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import guest
from tests import services
from tests.integration.conftest import BIN, COMPUTE_HOSTS

PASSWORD = "sim-password"
GUEST_WRITE_RATE = 2 * 1024 * 1024
STEP_TIMEOUT = 120


class XenServer:
    """One simulator process standing for one host (a pool of its own)."""

    def __init__(self, workdir, host):
        self.host = host
        self.state_dir = os.path.join(workdir, "xapi", host)
        self.port = services.free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = open(os.path.join(workdir, f"xapi-{host}.log"), "w")
        self.process = subprocess.Popen(
            [os.path.join(BIN, "godwit-xapi-sim"), "--state-dir", self.state_dir,
             "--port", str(self.port), "--host", host, "--password", PASSWORD,
             "--guest-write-rate", str(GUEST_WRITE_RATE)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not services.port_open(self.port):
            assert self.process.poll() is None and time.monotonic() < deadline, \
                f"godwit-xapi-sim for {host} did not start (see {self.log.name})"
            time.sleep(0.1)

    def session(self):
        session = XenAPI.Session(self.url)
        session.login_with_password("root", PASSWORD, "2.21", "godwit-tests")
        return session.xenapi

    def vm(self, name):
        (ref,) = self.session().VM.get_by_name_label(name)
        return ref

    def journal(self, name):
        """What the guest of VM ``name`` wrote (offset -> checksum), as last flushed."""
        return guest.journal(self.state_dir, self.session().VM.get_uuid(self.vm(name)))

    def disk_path(self, name):
        xenapi = self.session()
        vdi = xenapi.VBD.get_VDI(xenapi.VM.get_VBDs(self.vm(name))[0])
        sr_uuid = xenapi.SR.get_uuid(xenapi.VDI.get_SR(vdi))
        return os.path.join(self.state_dir, "sr", sr_uuid,
                            xenapi.VDI.get_location(vdi) + ".vhd")

    def names(self, server_id):
        """The names of the server's VMs on this host (``<id>``, ``<id>-orig``...)."""
        return sorted(record["name_label"]
                      for record in self.session().VM.get_all_records().values()
                      if record["name_label"].startswith(server_id))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        self.log.close()


@pytest.fixture(scope="module")
def xen(deploy, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("xenservers"))
    servers = {host: XenServer(workdir, host) for host in COMPUTE_HOSTS}
    urls = ",".join(f"{host}:{server.url}" for host, server in servers.items())
    deployment = deploy(f"""
[compute]
compute_driver = xenapi
[xenserver]
connection_urls = {urls}
connection_password = {PASSWORD}
staging_dir = {os.path.join(workdir, "staging")}
rsync_transport = local
task_poll_interval = 0.1
clean_shutdown_timeout = 10
""")
    yield deployment, servers
    for name in list(deployment.processes):
        deployment.stop(name)
    for server in servers.values():
        server.stop()


def _action(client, server_id, body):
    resp = client.post(f"/v2.1/servers/{server_id}/action", json=body)
    assert resp.status_code in (202, 204), resp.text


def _host(admin, server_id):
    return admin.get(f"/v2.1/servers/{server_id}").json()["server"]["OS-EXT-SRV-ATTR:host"]


def _boot(deployment, name):
    member = deployment.new_member()
    server_id = member.create_server(name, flavor="1", image=deployment.cloud.image_id())
    member.wait_for_status(server_id, "ACTIVE", timeout=STEP_TIMEOUT)
    return member, server_id


def _stopped(client, server_id):
    """Stops the server: its guest stops writing and its journal is flushed."""
    _action(client, server_id, {"os-stop": None})
    client.wait_for_status(server_id, "SHUTOFF", timeout=STEP_TIMEOUT)


def _verify(server, name, journal):
    assert journal, "the guest wrote nothing"
    assert guest.verify(journal, server.disk_path(name)) == []


def _resized(xen, name):
    """A new member's server, resized to flavor 2 and waiting in VERIFY_RESIZE; returns
    (admin, member, server id, source XenServer, destination XenServer)."""
    deployment, servers = xen
    admin = deployment.cloud.admin()
    member, server_id = _boot(deployment, name)
    source = servers[_host(admin, server_id)]
    _action(member, server_id, {"resize": {"flavorRef": "2"}})
    member.wait_for_status(server_id, "VERIFY_RESIZE", timeout=STEP_TIMEOUT)
    dest = servers[_host(admin, server_id)]
    assert dest is not source
    return admin, member, server_id, source, dest


def test_resize_moves_every_block_the_guest_wrote_and_confirm_keeps_them(xen):
    admin, member, server_id, source, dest = _resized(xen, "xen-resize")
    # the original, halted, and the snapshot that froze its base, until the user decides
    assert source.names(server_id) == [server_id + "-orig", server_id + "-snapshot"]
    assert dest.names(server_id) == [server_id]
    migration = admin.get("/v2.1/os-migrations",
                          params={"instance_uuid": server_id}).json()["migrations"][0]
    written_on_source = source.journal(server_id + "-orig")
    _verify(source, server_id + "-orig", written_on_source)

    _action(member, server_id, {"confirmResize": None})
    member.wait_for_status(server_id, "ACTIVE", timeout=STEP_TIMEOUT)
    assert source.names(server_id) == []
    _stopped(member, server_id)
    _verify(dest, server_id, {**written_on_source, **dest.journal(server_id)})
    vm = dest.session().VM.get_record(dest.vm(server_id))
    assert vm["memory_static_max"] == str(2048 * 1024 * 1024)
    assert migration["status"] == "verify-migration"


def test_revert_restarts_the_original_with_every_block_the_guest_wrote(xen):
    admin, member, server_id, source, dest = _resized(xen, "xen-revert")
    _action(member, server_id, {"revertResize": None})
    member.wait_for_status(server_id, "ACTIVE", timeout=STEP_TIMEOUT)
    assert _host(admin, server_id) == source.host
    assert dest.names(server_id) == []
    assert source.names(server_id) == [server_id]
    _stopped(member, server_id)
    _verify(source, server_id, source.journal(server_id))
    assert vhd.check(source.disk_path(server_id)) == []
    staging = os.path.join(os.path.dirname(os.path.dirname(source.state_dir)), "staging")
    assert not os.path.isdir(staging) or os.listdir(staging) == []
