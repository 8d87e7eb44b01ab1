"""godwit's vhd-util subset, run as the executable plugins find on their PATH."""
import os
import subprocess
import sys

import pytest

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import plugins

MIB = 1024 * 1024
VHD_UTIL = os.path.join(plugins.SHIM_BIN_DIR, "vhd-util")


def run(*args, cwd=None):
    """vhd-util's exit status and output, run with the test's python3 first on PATH."""
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable),
                                                 os.environ.get("PATH", "")]))
    completed = subprocess.run([VHD_UTIL, *args], capture_output=True, text=True, env=env,
                               cwd=cwd, check=False)
    return completed.returncode, completed.stdout, completed.stderr


@pytest.fixture
def base(tmp_path):
    path = str(tmp_path / "base.vhd")
    vhd.create_dynamic(path, 10 * MIB)
    vhd.write(path, 0, b"base data")
    return path


def test_the_wrapper_is_an_executable_python3_script():
    with open(VHD_UTIL) as stream:
        assert stream.readline() == "#!/usr/bin/env -S python3 -S\n"
    assert os.access(VHD_UTIL, os.X_OK)


def test_query_size_and_parent(tmp_path, base):
    assert run("query", "-n", base, "-v") == (0, "10\n", "")
    assert run("query", "-n", base, "-p") == (0, f"{base} has no parent\n", "")
    child = str(tmp_path / "child.vhd")
    vhd.create_differencing(child, base)
    assert run("query", "-n", "child.vhd", "-p", cwd=tmp_path) == (0, f"{base}\n", "")
    assert run("query", "-n", child, "-v", "-p") == (0, f"10\n{base}\n", "")
    assert run("query", f"-n{child}", "-vp") == (0, f"10\n{base}\n", "")  # as getopt reads


def test_snapshot_creates_a_child(tmp_path, base):
    child = str(tmp_path / "child.vhd")
    assert run("snapshot", "-n", child, "-p", base)[0] == 0
    assert vhd.info(child)["parent_path"] == base
    assert vhd.read(child, 0, 9) == b"base data"


def test_modify_relinks_the_parent(tmp_path, base):
    child = str(tmp_path / "child.vhd")
    vhd.create_differencing(child, base)
    moved = str(tmp_path / "moved")
    os.mkdir(moved)
    os.rename(base, os.path.join(moved, "base.vhd"))
    assert run("check", "-n", child)[0] != 0
    assert run("modify", "-n", child, "-p", os.path.join(moved, "base.vhd"))[0] == 0
    assert run("check", "-n", child) == (0, f"{child} is valid\n", "")
    assert vhd.read(child, 0, 9) == b"base data"


def test_check_reports_a_damaged_file(tmp_path, base):
    assert run("check", "-n", base) == (0, f"{base} is valid\n", "")
    with open(base, "r+b") as stream:
        stream.seek(-512, os.SEEK_END)
        stream.write(b"garbage!")
    status, output, _ = run("check", "-n", base)
    assert status == 1 and output.startswith(f"{base} appears invalid")
    missing = str(tmp_path / "missing.vhd")
    assert run("check", "-n", missing)[0] == 1


@pytest.mark.parametrize("args", [[], ["coalesce", "-n", "x"], ["query", "-n", "x"],
                                  ["modify", "-n", "x"], ["query", "-x"],
                                  ["snapshot", "-p", "x"], ["check", "-n", "x", "extra"],
                                  ["check", "-n"], ["check", "-"], ["check", "--", "-n", "x"]])
def test_usage_errors(args):
    status, output, error = run(*args)
    assert status == 1 and output == "" and "usage: vhd-util" in error


def test_failures_exit_non_zero(tmp_path, base):
    status, _, error = run("query", "-n", str(tmp_path / "none.vhd"), "-v")
    assert status == 1 and "failed" in error
    assert run("modify", "-n", base, "-p", base)[0] == 1  # not a differencing disk
