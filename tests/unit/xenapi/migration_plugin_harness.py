"""The dom0 migration plugin loaded as a module (to call its functions in-process, with the
simulator's vhd-util on ``PATH``), and VHD chains for it to move."""
import importlib.machinery
import importlib.util
import os
import sys
import types
import uuid

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import plugins

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
PLUGIN = os.path.join(ROOT, "plugins", "xenserver", "xapi.d", "plugins", "migration")
MIB = 1024 * 1024


def load_plugin():
    """The plugin file as a module (its ``XenAPIPlugin`` is the simulator's shim)."""
    if plugins.SHIM_DIR not in sys.path:
        sys.path.append(plugins.SHIM_DIR)
    loader = importlib.machinery.SourceFileLoader("godwit_migration_plugin", PLUGIN)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def dom0_path():
    """``PATH`` as the simulator gives it to plugins: its vhd-util, then its python3."""
    return os.pathsep.join([plugins.SHIM_BIN_DIR, os.path.dirname(sys.executable),
                            os.environ["PATH"]])


def fill(path, blocks, start=0):
    """Random data in ``blocks`` whole VHD blocks of ``path`` from block ``start``."""
    for block in range(start, start + blocks):
        vhd.write(path, block * vhd.BLOCK_SIZE, os.urandom(vhd.BLOCK_SIZE))


def make_chain(sr_dir, virtual_size, base_blocks, leaf_blocks):
    """A base VHD holding ``base_blocks`` of data and a differencing leaf over it rewriting
    ``leaf_blocks`` blocks (the first ones); returns (base uuid, leaf uuid)."""
    os.makedirs(sr_dir, exist_ok=True)
    base, leaf = str(uuid.uuid4()), str(uuid.uuid4())
    base_path = os.path.join(sr_dir, base + ".vhd")
    vhd.create_dynamic(base_path, virtual_size)
    fill(base_path, base_blocks)
    vhd.create_differencing(os.path.join(sr_dir, leaf + ".vhd"), base_path)
    fill(os.path.join(sr_dir, leaf + ".vhd"), leaf_blocks)
    return base, leaf


class FakeSession:
    """The ``session.xenapi.SR`` calls ``move_vhds_into_sr`` makes, recorded."""

    def __init__(self):
        self.scanned = []
        self.xenapi = types.SimpleNamespace(SR=types.SimpleNamespace(
            get_by_uuid=lambda sr_uuid: "OpaqueRef:" + sr_uuid, scan=self.scanned.append))
