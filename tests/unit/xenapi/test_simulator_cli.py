"""``godwit-xapi-sim``: serves until SIGTERM, then exits cleanly."""
import signal
import subprocess
import sys

import XenAPI

from godwit.virt.xenapi.simulator.cli import parse_args


def test_the_command_serves_the_xenapi_client_and_stops_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", "from godwit.virt.xenapi.simulator.cli import main; main()",
         "--state-dir", str(tmp_path), "--username", "root", "--password", "pw",
         "--host", "xs-1"], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("XAPI simulator listening on http://127.0.0.1:"), line
        session = XenAPI.Session(line.split()[-1])
        session.login_with_password("root", "pw", "2.21", "godwit-tests")
        hosts = session.xenapi.host.get_all_records().values()
        assert [host["name_label"] for host in hosts] == ["xs-1"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0


def test_guest_write_rate_option():
    assert parse_args(["--state-dir", "x"]).guest_write_rate == 0
    args = parse_args(["--state-dir", "x", "--guest-write-rate", "1048576"])
    assert args.guest_write_rate == 1048576
