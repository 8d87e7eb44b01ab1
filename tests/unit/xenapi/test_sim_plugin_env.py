"""What a plugin finds around it: vhd-util and the simulator's python3 on PATH, and the SRs
under GODWIT_SR_MOUNT, as a dom0 plugin finds them under /var/run/sr-mount."""
import json
import os
import sys

import pytest

from godwit.virt.xenapi.simulator import plugins
from tests.unit.xenapi.simulator_harness import disk_of, login, new_vm, start_simulator

PLUGIN = '''#!/usr/bin/env python3
"""Reports its environment, and the size of a VDI's file as vhd-util sees it."""
import json
import os
import shutil
import subprocess

import XenAPIPlugin


def env(session, args):
    mount = os.environ.get("GODWIT_SR_MOUNT", "/var/run/sr-mount")
    path = os.path.join(mount, args["sr_uuid"], args["location"] + ".vhd")
    size = subprocess.run(["vhd-util", "query", "-n", path, "-v"], capture_output=True,
                          text=True, check=True).stdout.strip()
    return json.dumps({"mount": mount, "vhd_util": shutil.which("vhd-util"),
                       "python3": shutil.which("python3"), "size_mib": size})


if __name__ == "__main__":
    XenAPIPlugin.dispatch({"env": env})
'''


@pytest.fixture
def session_and_simulator(tmp_path):
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "env").write_text(PLUGIN)
    simulator = start_simulator(tmp_path / "xapi", plugin_dirs=[plugin_dir])
    yield login(simulator.url).xenapi, simulator
    simulator.stop()


def test_a_plugin_finds_vhd_util_and_the_sr_mount(session_and_simulator, tmp_path):
    xenapi, simulator = session_and_simulator
    vdi = xenapi.VDI.get_record(disk_of(xenapi, new_vm(xenapi)))
    host = xenapi.pool.get_master(xenapi.pool.get_all()[0])
    result = json.loads(xenapi.host.call_plugin(host, "env", "env", {
        "sr_uuid": xenapi.SR.get_uuid(vdi["SR"]), "location": vdi["location"]}))
    assert result["mount"] == str(tmp_path / "xapi" / "sr")
    assert result["vhd_util"] == os.path.join(plugins.SHIM_BIN_DIR, "vhd-util")
    assert os.path.dirname(result["python3"]) == os.path.dirname(sys.executable)
    assert result["size_mib"] == "1024"
