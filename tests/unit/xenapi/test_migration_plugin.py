"""The dom0 migration plugin: real VHD chains moved with real rsync (``transport=local``).

The plugin runs as XAPI runs it, through the simulator's ``host.call_plugin`` (a pool of two
hosts, each with a local SR), except where a test must break it halfway or look inside:
those call its functions in-process, with the simulator's vhd-util and a fake session.
"""
import hashlib
import json
import os
import time
import uuid

import pytest
import XenAPI

from godwit.virt.xenapi import vhd
from tests.unit.xenapi import migration_plugin_harness as harness
from tests.unit.xenapi.simulator_harness import wait_for

PLUGIN = harness.load_plugin()
Failure = PLUGIN.XenAPIPlugin.Failure
SIMULATED_HOSTS = ("xenserver-1", "xenserver-2")


@pytest.fixture
def dom0(tmp_path, monkeypatch):
    """The SR mount dir; the in-process plugin gets the simulator's environment, and every
    plugin a TMPDIR of the test's own (where progress files go)."""
    sr_mount = tmp_path / "xapi" / "sr"
    monkeypatch.setenv("GODWIT_SR_MOUNT", str(sr_mount))
    monkeypatch.setenv("PATH", harness.dom0_path())
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return sr_mount


@pytest.fixture
def hosts(xenapi):
    """{host ref: its local SR's uuid}, the master first."""
    found = {}
    for host in sorted(xenapi.host.get_all(), key=xenapi.host.get_name_label):
        srs = [xenapi.PBD.get_SR(pbd) for pbd in xenapi.host.get_PBDs(host)]
        found[host] = next(xenapi.SR.get_uuid(sr) for sr in srs if not xenapi.SR.get_shared(sr))
    return found


@pytest.fixture
def call(xenapi, hosts):
    def call(fn, host=None, **args):
        host = host or next(iter(hosts))
        return json.loads(xenapi.host.call_plugin(host, "migration", fn, args))
    return call


@pytest.fixture
def chain(dom0, hosts):
    """(source SR uuid, base uuid, leaf uuid) in the first host's local SR: 4 MiB of data
    in the base, 2 MiB in the leaf."""
    sr_uuid = next(iter(hosts.values()))
    return (sr_uuid,) + harness.make_chain(str(dom0 / sr_uuid), 16 * harness.MIB, 2, 1)


def transfer_args(tmp_path, sr_uuid, vdi_uuids, transfer_id, **extra):
    args = dict(sr_uuid=sr_uuid, vdi_uuids=json.dumps(vdi_uuids), dest_host="",
                staging_root=str(tmp_path / "staging"), name="instance-1", transport="local",
                transfer_id=transfer_id)
    return dict(args, **extra)


def move_args(tmp_path, sr_uuid, vdi_uuids):
    return dict(staging_root=str(tmp_path / "staging"), name="instance-1", sr_uuid=sr_uuid,
                vdi_uuids=json.dumps(vdi_uuids))


def sha256(path):
    with open(path, "rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def failure(call, *args, **kwargs):
    with pytest.raises(XenAPI.Failure) as caught:
        call(*args, **kwargs)
    return caught.value.details


def test_chain_moves_into_another_sr(tmp_path, xenapi, dom0, hosts, call, chain):
    sr_uuid, base, leaf = chain
    source = dom0 / sr_uuid
    leaf_digest = vhd.digest(str(source / (leaf + ".vhd")))
    before = {name: sha256(source / name) for name in os.listdir(source)}
    sent = call("transfer_vhd", **transfer_args(tmp_path, sr_uuid, [base], "t-base", check="true"))
    assert sent["bytes_sent"] == sent["total_bytes"] == os.path.getsize(source / (base + ".vhd"))
    call("transfer_vhd", **transfer_args(tmp_path, sr_uuid, [leaf], "t-leaf", check="true"))
    progress = call("get_transfer_progress", transfer_id="t-leaf")
    total = os.path.getsize(source / (leaf + ".vhd"))
    assert progress["done"] and progress["bytes_sent"] == progress["total_bytes"] == total

    destination, target = list(hosts.items())[1]
    new = call("move_vhds_into_sr", host=destination, **move_args(tmp_path, target, [base, leaf]))
    new_base, new_leaf = (str(dom0 / target / (vdi + ".vhd")) for vdi in new)
    assert vhd.digest(new_leaf) == leaf_digest
    assert vhd.info(new_base)["parent_path"] is None
    assert vhd.info(new_leaf)["parent_path"] == new_base
    assert sorted(os.listdir(dom0 / target)) == sorted(vdi + ".vhd" for vdi in new)
    for vdi in new:  # SR.scan introduced them
        assert xenapi.VDI.get_SR(xenapi.VDI.get_by_uuid(vdi)) == xenapi.SR.get_by_uuid(target)
    assert os.listdir(tmp_path / "staging" / "instance-1") == ["moves.json"]
    assert {name: sha256(source / name) for name in os.listdir(source)} == before


def test_no_progress_before_a_transfer(dom0, call):
    assert call("get_transfer_progress", transfer_id="nothing") == {
        "bytes_sent": 0, "total_bytes": 0, "done": False}
    assert call("cancel_transfer", transfer_id="nothing") == {"cancelled": False}


def wait_for_bytes(call, transfer_id, seconds=5):
    deadline = time.monotonic() + seconds
    while call("get_transfer_progress", transfer_id=transfer_id)["bytes_sent"] == 0:
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)


def test_cancelled_transfer_fails_and_resumes(tmp_path, xenapi, dom0, hosts, call):
    host, sr_uuid = next(iter(hosts.items()))
    base, _ = harness.make_chain(str(dom0 / sr_uuid), 16 * harness.MIB, 8, 0)
    source = dom0 / sr_uuid / (base + ".vhd")
    digest = sha256(source)
    slow = transfer_args(tmp_path, sr_uuid, [base], "t-slow", bwlimit_kbps="4096")
    task = xenapi.Async.host.call_plugin(host, "migration", "transfer_vhd", slow)
    wait_for_bytes(call, "t-slow")
    assert call("cancel_transfer", transfer_id="t-slow") == {"cancelled": True}
    record = wait_for(xenapi, task, timeout=10)
    assert record["status"] == "failure"
    assert record["error_info"][0] == "GODWIT_TRANSFER_FAILED"
    staged = tmp_path / "staging" / "instance-1"
    assert not os.path.exists(staged / (base + ".vhd"))  # the partial is kept apart
    assert os.listdir(staged / ".godwit-partial") == [base + ".vhd"]
    assert sha256(source) == digest

    resumed = call("transfer_vhd", **transfer_args(tmp_path, sr_uuid, [base], "t-again"))
    assert resumed["literal_bytes"] < resumed["total_bytes"]  # the partial was reused
    assert sha256(staged / (base + ".vhd")) == sha256(source) == digest
    assert not os.path.exists(staged / ".godwit-partial")


def staged_chain(tmp_path, dom0, chain):
    """The chain copied to the staging dir (as two transfers leave it) and a target SR."""
    sr_uuid, *vdis = chain
    staging = tmp_path / "staging" / "instance-1"
    os.makedirs(staging)
    for vdi in vdis:
        (staging / (vdi + ".vhd")).write_bytes((dom0 / sr_uuid / (vdi + ".vhd")).read_bytes())
    target = str(uuid.uuid4())
    os.makedirs(dom0 / target)
    return target


class PowerCut(Exception):
    pass


def test_move_resumes_after_an_interruption(tmp_path, dom0, chain, monkeypatch):
    _, base, leaf = chain
    target = staged_chain(tmp_path, dom0, chain)
    real = PLUGIN._vhd_util

    def cut_before_relinking_the_leaf(*arguments):
        raise PowerCut()

    monkeypatch.setattr(PLUGIN, "_vhd_util", cut_before_relinking_the_leaf)
    args = move_args(tmp_path, target, [base, leaf])
    with pytest.raises(PowerCut):
        PLUGIN.move_vhds_into_sr(harness.FakeSession(), args)
    monkeypatch.setattr(PLUGIN, "_vhd_util", real)
    moves = dict(json.loads((tmp_path / "staging" / "instance-1" / "moves.json").read_text()))
    placed = dom0 / target / (moves[base] + ".vhd")
    assert sorted(os.listdir(dom0 / target)) == sorted(
        [placed.name, moves[leaf] + ".vhd.moving"])  # no leaf an SR scan could take yet
    inode = os.stat(placed).st_ino

    new = json.loads(PLUGIN.move_vhds_into_sr(harness.FakeSession(), args))
    assert new == [moves[base], moves[leaf]]
    assert os.stat(placed).st_ino == inode  # not moved again
    assert json.loads(PLUGIN.move_vhds_into_sr(harness.FakeSession(), args)) == new  # and once more
    assert vhd.check(str(dom0 / target / (new[1] + ".vhd"))) == []
    assert vhd.info(str(dom0 / target / (new[1] + ".vhd")))["parent_path"] == str(placed)


def damage(path):
    with open(path, "r+b") as stream:
        stream.seek(100)  # in the copy of the footer at the start
        stream.write(b"x")


@pytest.mark.parametrize("damaged", [0, 1], ids=["base", "leaf"])
def test_a_damaged_vhd_fails_its_transfer_on_every_run(tmp_path, dom0, chain, damaged):
    """Checked while it is copied: the transfer fails, and again on a retry."""
    sr_uuid, *vdis = chain
    path = dom0 / sr_uuid / (vdis[damaged] + ".vhd")
    damage(path)
    args = transfer_args(tmp_path, sr_uuid, vdis, "t-damaged", check="true")
    for _ in range(2):  # a retry resumes from what the first run copied, and checks again
        with pytest.raises(Failure) as caught:
            PLUGIN.transfer_vhd(None, args)
        assert caught.value.params[:2] == ["GODWIT_VHD_UTIL_FAILED", f"check -n {path}"]
    args["check"] = "false"  # unchecked, it is sent as it is
    assert json.loads(PLUGIN.transfer_vhd(None, args))["bytes_sent"] == sum(
        os.path.getsize(dom0 / sr_uuid / (vdi + ".vhd")) for vdi in vdis)


def test_a_failed_check_stops_the_copy(tmp_path, dom0):
    """A damaged file is not copied in full before its transfer fails: rsync, held here to
    512 KiB/s (some 30 s for this base), is stopped as soon as the check fails."""
    sr_uuid = "sr-damaged"
    base, _ = harness.make_chain(str(dom0 / sr_uuid), 16 * harness.MIB, 8, 0)
    path = dom0 / sr_uuid / (base + ".vhd")
    damage(path)
    args = transfer_args(tmp_path, sr_uuid, [base], "t-stopped", check="true",
                         bwlimit_kbps="512")
    with pytest.raises(Failure) as caught:
        PLUGIN.transfer_vhd(None, args)
    assert caught.value.params[:2] == ["GODWIT_VHD_UTIL_FAILED", f"check -n {path}"]
    assert not os.path.exists(tmp_path / "staging" / "instance-1" / (base + ".vhd"))
    progress = json.loads(PLUGIN.get_transfer_progress(None, {"transfer_id": "t-stopped"}))
    assert progress["done"] and progress["exit_code"] != 0
    assert progress["bytes_sent"] < progress["total_bytes"]


def test_move_only_relinks(tmp_path, dom0, chain, monkeypatch):
    """While the VM is down, one vhd-util modify per file below the base (each file was
    checked on the source): no query, no check."""
    sr_uuid, base, middle = chain
    leaf = str(uuid.uuid4())
    vhd.create_differencing(str(dom0 / sr_uuid / (leaf + ".vhd")),
                            str(dom0 / sr_uuid / (middle + ".vhd")))
    harness.fill(str(dom0 / sr_uuid / (leaf + ".vhd")), 1, 3)
    digest = vhd.digest(str(dom0 / sr_uuid / (leaf + ".vhd")))
    target = staged_chain(tmp_path, dom0, (sr_uuid, base, middle, leaf))
    started, real = [], PLUGIN._start_vhd_util
    monkeypatch.setattr(PLUGIN, "_start_vhd_util",
                        lambda *arguments: started.append(arguments) or real(*arguments))
    args = move_args(tmp_path, target, [])
    del args["vdi_uuids"]
    new = json.loads(PLUGIN.move_vhds_into_sr(harness.FakeSession(), args))
    paths = [str(dom0 / target / (vdi + ".vhd")) for vdi in new]
    assert started == [("modify", "-n", paths[1] + ".moving", "-p", paths[0]),
                       ("modify", "-n", paths[2] + ".moving", "-p", paths[1])]
    assert vhd.digest(paths[2]) == digest
    assert [vhd.check(path) for path in paths] == [[], [], []]


@pytest.mark.parametrize("damage", ["a damaged header", "a stale parent locator"])
def test_a_relink_that_went_wrong_stops_the_move_until_redone(tmp_path, dom0, chain,
                                                              monkeypatch, damage):
    """vhd-util modify left the leaf with a damaged header, or still naming the staged
    base: the leaf does not take its name in the SR, and the next run relinks it."""
    _, base, leaf = chain
    target = staged_chain(tmp_path, dom0, chain)
    real = PLUGIN._vhd_util

    def modify(*arguments):
        if damage == "a damaged header":
            real(*arguments)
            with open(arguments[2], "r+b") as stream:
                stream.seek(-512 + 16, os.SEEK_END)
                header_at = int.from_bytes(stream.read(8), "big")
                stream.seek(header_at + 1000)
                stream.write(b"\xff")
        return ""
    monkeypatch.setattr(PLUGIN, "_vhd_util", modify)
    args = move_args(tmp_path, target, [base, leaf])
    with pytest.raises(Failure) as caught:
        PLUGIN.move_vhds_into_sr(harness.FakeSession(), args)
    assert caught.value.params[0] == "GODWIT_BAD_CHAIN"
    assert sorted(name.rpartition(".vhd")[2] for name in os.listdir(dom0 / target)) == \
        ["", ".moving"]
    monkeypatch.setattr(PLUGIN, "_vhd_util", real)
    new = json.loads(PLUGIN.move_vhds_into_sr(harness.FakeSession(), args))
    assert [vhd.check(str(dom0 / target / (vdi + ".vhd"))) for vdi in new] == [[], []]


def test_chain_must_start_without_a_parent(tmp_path, dom0, chain):
    _, _, leaf = chain
    target = staged_chain(tmp_path, dom0, chain)
    with pytest.raises(Failure) as caught:
        PLUGIN.move_vhds_into_sr(harness.FakeSession(), move_args(tmp_path, target, [leaf]))
    assert caught.value.params[0] == "GODWIT_BAD_CHAIN"
    assert os.listdir(dom0 / target) == []


def test_remove_staging(tmp_path, dom0, call):
    args = dict(staging_root=str(tmp_path / "staging"), name="instance-1")
    os.makedirs(tmp_path / "staging" / "instance-1" / ".godwit-partial")
    assert call("remove_staging", **args) == {"removed": True}
    assert call("remove_staging", **args) == {"removed": False}
    assert os.listdir(tmp_path / "staging") == []


def test_ssh_transport_command(tmp_path):
    args = transfer_args(tmp_path, "sr", ["a"], "t", transport="ssh", dest_host="10.0.0.2",
                         ssh_options="StrictHostKeyChecking=yes ConnectTimeout=10")
    command = PLUGIN._rsync_command(args, ["/sr/a.vhd"])
    staging = str(tmp_path / "staging" / "instance-1")
    assert command[-4:] == [f"--rsync-path=mkdir -p {staging} && rsync", "--", "/sr/a.vhd",
                            f"root@10.0.0.2:{staging}/"]
    assert command[command.index("-e") + 1] == (
        "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=10")
    assert "--partial-dir=.godwit-partial" in command and "--inplace" not in command
    assert not os.path.exists(staging)


BAD = [
    ("transfer_vhd", "sr_uuid", "../etc"),
    ("transfer_vhd", "vdi_uuids", '["a/b"]'),
    ("transfer_vhd", "vdi_uuids", "not json"),
    ("transfer_vhd", "vdi_uuids", "[]"),
    ("transfer_vhd", "name", ".hidden"),
    ("transfer_vhd", "staging_root", "relative/dir"),
    ("transfer_vhd", "staging_root", "/srv/../etc"),
    ("transfer_vhd", "transport", "ftp"),
    ("transfer_vhd", "transfer_id", "a/b"),
    ("transfer_vhd", "transfer_id", "t\n"),
    ("transfer_vhd", "bwlimit_kbps", "fast"),
    ("transfer_vhd", "check", "yes"),
    ("get_transfer_progress", "transfer_id", "../x"),
    ("cancel_transfer", "transfer_id", ""),
    ("move_vhds_into_sr", "sr_uuid", "a/b"),
    ("move_vhds_into_sr", "name", ".."),
    ("remove_staging", "staging_root", "/"),
]


@pytest.mark.parametrize("fn, key, value", BAD)
def test_bad_arguments_are_refused(tmp_path, dom0, call, chain, fn, key, value):
    sr_uuid, base, _ = chain
    args = dict(transfer_args(tmp_path, sr_uuid, [base], "t"), **{key: value})
    assert failure(call, fn, **args) == ["GODWIT_BAD_ARGUMENT", key, value]
    assert not os.path.exists(tmp_path / "staging")


@pytest.mark.parametrize("key, value", [("dest_host", "-oProxyCommand=x"),
                                        ("ssh_user", "root;id"),
                                        ("ssh_options", "ProxyCommand=sh -c id")])
def test_bad_ssh_arguments_are_refused(tmp_path, chain, key, value):
    sr_uuid, base, _ = chain
    args = dict(transfer_args(tmp_path, sr_uuid, [base], "t", transport="ssh",
                              dest_host="dest"), **{key: value})
    with pytest.raises(Failure) as caught:
        PLUGIN.transfer_vhd(None, args)
    assert caught.value.params == ["GODWIT_BAD_ARGUMENT", key, value]


def test_move_orders_the_staged_chain_itself(tmp_path, dom0, chain):
    _, base, leaf = chain
    target = staged_chain(tmp_path, dom0, chain)
    args = move_args(tmp_path, target, [])
    del args["vdi_uuids"]
    new = json.loads(PLUGIN.move_vhds_into_sr(harness.FakeSession(), args))
    moves = json.loads((tmp_path / "staging" / "instance-1" / "moves.json").read_text())
    assert moves == [[base, new[0]], [leaf, new[1]]]
    assert json.loads(PLUGIN.move_vhds_into_sr(harness.FakeSession(), args)) == new
    args["name"] = "nothing-staged"
    assert json.loads(PLUGIN.move_vhds_into_sr(harness.FakeSession(), args)) == []
