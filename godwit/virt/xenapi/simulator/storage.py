"""SRs and VDIs, as on a file-based VHD SR (XAPI's ``ext``).

Each SR is a directory (its PBD's ``device_config['path']``), each VDI a real VHD file
``<location>.vhd`` in it (``godwit.virt.xenapi.vhd``): a new disk is a dynamic VHD; a copy
is the same file under a fresh VHD UUID. A snapshot freezes the disk's content into a hidden
read-only base VHD, of which the disk and the snapshot become empty differencing children.
Whenever a VDI's file has a parent, its ``sm_config['vhd-parent']`` names the parent's file
stem (its VDI uuid), as the SM backend reports it.
"""
import logging
import os
import shutil
import uuid

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import errors, model

LOG = logging.getLogger(__name__)
SUFFIX = ".vhd"
PARENT_KEY = "vhd-parent"
# What XAPI calls the hidden VHD a snapshot leaves behind.
BASE_NAME = "base copy"
# The fields of a VDI.create record the simulator uses.
_CREATE_FIELDS = ("name_label", "name_description", "type", "sharable", "read_only",
                  "other_config")


def sr_path(store, sr):
    """The SR's directory, which every host's PBD of that SR names."""
    pbds = store.get("SR", sr)["PBDs"]
    return store.get("PBD", pbds[0])["device_config"]["path"]


def vdi_path(store, vdi):
    record = store.get("VDI", vdi)
    return os.path.join(sr_path(store, record["SR"]), record["location"] + SUFFIX)


def _stem(path):
    return os.path.basename(path).removesuffix(SUFFIX)


def _sm_config(sm_config, path):
    """``sm_config`` with its ``vhd-parent`` naming the parent of the file at ``path``."""
    parent = vhd.info(path)["parent_path"]
    config = {key: value for key, value in sm_config.items() if key != PARENT_KEY}
    if parent:
        config[PARENT_KEY] = _stem(parent)
    return config


def _copy_file(source, target):
    """The same VHD (a child keeps its parent, as XAPI's fast clone does), a new UUID."""
    shutil.copyfile(source, target)
    vhd.set_uuid(target, str(uuid.uuid4()))


def _flatten_file(source, target):
    """A dynamic VHD with the content of ``source`` read through its chain; blocks reading
    as zeros stay unallocated."""
    size = vhd.info(source)["virtual_size"]
    vhd.create_dynamic(target, size)
    zeros = bytes(vhd.BLOCK_SIZE)
    for offset in range(0, size, vhd.BLOCK_SIZE):
        data = vhd.read(source, offset, min(vhd.BLOCK_SIZE, size - offset))
        if data != zeros[:len(data)]:
            vhd.write(target, offset, data)


def _new_vdi(store, sr, vdi_uuid=None, **fields):
    vdi_uuid = vdi_uuid or str(uuid.uuid4())
    return store.create("VDI", uuid=vdi_uuid, location=vdi_uuid, SR=sr, **fields)


def refresh(store, vdi):
    """Brings the record's size and ``vhd-parent`` in line with its file."""
    path = vdi_path(store, vdi)
    store.update("VDI", vdi, physical_utilisation=str(os.path.getsize(path)),
                 sm_config=_sm_config(store.get("VDI", vdi)["sm_config"], path))


def create_vdi(store, sr, name_label, virtual_size, **fields):
    """A new empty disk of ``virtual_size`` bytes in ``sr``."""
    vdi = _new_vdi(store, sr, name_label=name_label, virtual_size=str(virtual_size), **fields)
    vhd.create_dynamic(vdi_path(store, vdi), virtual_size)
    refresh(store, vdi)
    return vdi


def copy_vdi(store, vdi, sr):
    """A copy of ``vdi``'s content in ``sr`` (the same SR when ``sr`` is the null ref)."""
    record = store.get("VDI", vdi)
    target_sr = record["SR"] if sr == model.NULL_REF else sr
    copy = _new_vdi(store, target_sr, name_label=record["name_label"],
                    name_description=record["name_description"],
                    virtual_size=record["virtual_size"], other_config=record["other_config"])
    source = vdi_path(store, vdi)
    if target_sr != record["SR"] and vhd.info(source)["parent_path"]:
        _flatten_file(source, vdi_path(store, copy))
    else:
        _copy_file(source, vdi_path(store, copy))
    refresh(store, copy)
    return copy


def _freeze(store, vdi):
    """Moves the VDI's file to a new hidden base VDI; returns the file's new path."""
    record = store.get("VDI", vdi)
    path = vdi_path(store, vdi)
    base_uuid = str(uuid.uuid4())
    base_path = os.path.join(os.path.dirname(path), base_uuid + SUFFIX)
    os.rename(path, base_path)
    base = _new_vdi(store, record["SR"], base_uuid, name_label=BASE_NAME,
                    virtual_size=record["virtual_size"], type=record["type"], managed=False,
                    read_only=True)
    refresh(store, base)
    return base_path


def snapshot_vdi(store, vdi):
    """The snapshot of ``vdi``: both become empty children of a base holding its content."""
    record = store.get("VDI", vdi)
    base_path = _freeze(store, vdi)
    vhd.create_differencing(vdi_path(store, vdi), base_path)
    refresh(store, vdi)
    snapshot = _new_vdi(store, record["SR"], name_label=record["name_label"],
                        name_description=record["name_description"],
                        virtual_size=record["virtual_size"], type=record["type"],
                        other_config=record["other_config"], is_a_snapshot=True,
                        snapshot_of=vdi)
    vhd.create_differencing(vdi_path(store, snapshot), base_path)
    refresh(store, snapshot)
    return snapshot


def snapshot(call, vdi, driver_params):
    return snapshot_vdi(call.store, vdi)


def create(call, record):
    """``VDI.create``: an empty dynamic VHD; record keys the simulator has no use for are
    ignored, so a driver may send a full record."""
    sr = record.get("SR", model.NULL_REF)
    call.store.get("SR", sr)  # HANDLE_INVALID for a bad SR
    try:
        virtual_size = int(record.get("virtual_size", 0))
    except (TypeError, ValueError):
        raise errors.XapiError("FIELD_TYPE_ERROR", "virtual_size") from None
    if virtual_size <= 0 or virtual_size % vhd.SECTOR:
        raise errors.XapiError("VDI_SIZE_INVALID", str(virtual_size))
    fields = {key: record[key] for key in _CREATE_FIELDS if key in record}
    name_label = fields.pop("name_label", "")
    return create_vdi(call.store, sr, name_label, virtual_size, **fields)


def destroy(call, vdi):
    if call.store.get("VDI", vdi)["VBDs"]:
        raise errors.XapiError("VDI_IN_USE", vdi, "destroy")
    os.remove(vdi_path(call.store, vdi))
    call.store.delete("VDI", vdi)


def _introduce(store, sr, path):
    """A record for a VHD file found in the SR; None when the file is not (yet) a VHD."""
    try:
        virtual_size = vhd.info(path)["virtual_size"]
    except (OSError, vhd.VhdError) as exc:
        LOG.warning("SR scan skips %s: %s", path, exc)
        return None
    vdi = _new_vdi(store, sr, _stem(path), virtual_size=str(virtual_size))
    refresh(store, vdi)
    return vdi


def scan(call, sr):
    """Introduces the SR's VHD files that have no VDI, refreshes the others, and forgets
    the VDIs whose file is gone and which no VBD uses."""
    store = call.store
    directory = sr_path(store, sr)
    stems = {_stem(name) for name in os.listdir(directory) if name.endswith(SUFFIX)}
    known = set()
    for vdi in store.get("SR", sr)["VDIs"]:
        record = store.get("VDI", vdi)
        known.add(record["location"])
        if record["location"] in stems:
            _refresh_found(store, vdi)
        elif not record["VBDs"]:
            store.delete("VDI", vdi)
    for stem in sorted(stems - known):
        _introduce(store, sr, os.path.join(directory, stem + SUFFIX))


def _refresh_found(store, vdi):
    try:
        refresh(store, vdi)
    except (OSError, vhd.VhdError) as exc:
        LOG.warning("SR scan cannot read VDI %s: %s", vdi, exc)


def methods():
    return {"VDI.destroy": destroy, "VDI.snapshot": snapshot, "VDI.create": create,
            "SR.scan": scan}
