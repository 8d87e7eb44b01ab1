"""SRs and VDIs. Each SR is a directory (its PBD's ``device_config['path']``), each VDI a
real VHD file ``<vdi uuid>.vhd`` in it (``godwit.virt.xenapi.vhd``): a new disk is a
dynamic VHD; a copy is the same file under a fresh VHD UUID.
"""
import os
import shutil
import uuid

from godwit.virt.xenapi import vhd
from godwit.virt.xenapi.simulator import errors, model


def sr_path(store, sr):
    """The SR's directory, which every host's PBD of that SR names."""
    pbds = store.get("SR", sr)["PBDs"]
    return store.get("PBD", pbds[0])["device_config"]["path"]


def vdi_path(store, vdi):
    record = store.get("VDI", vdi)
    return os.path.join(sr_path(store, record["SR"]), record["location"] + ".vhd")


def _create_file(path, virtual_size):
    vhd.create_dynamic(path, virtual_size)


def _copy_file(source, target):
    """The same VHD (a child keeps its parent, as XAPI's fast clone does), a new UUID."""
    shutil.copyfile(source, target)
    vhd.set_uuid(target, str(uuid.uuid4()))


def _new_vdi(store, sr, **fields):
    vdi_uuid = str(uuid.uuid4())
    return store.create("VDI", uuid=vdi_uuid, location=vdi_uuid, SR=sr, **fields)


def _record_size(store, vdi):
    store.update("VDI", vdi, physical_utilisation=str(os.path.getsize(vdi_path(store, vdi))))


def create_vdi(store, sr, name_label, virtual_size):
    """A new empty disk of ``virtual_size`` bytes in ``sr``."""
    vdi = _new_vdi(store, sr, name_label=name_label, virtual_size=str(virtual_size))
    _create_file(vdi_path(store, vdi), virtual_size)
    _record_size(store, vdi)
    return vdi


def copy_vdi(store, vdi, sr):
    """A copy of ``vdi``'s content in ``sr`` (the same SR when ``sr`` is the null ref)."""
    record = store.get("VDI", vdi)
    target_sr = record["SR"] if sr == model.NULL_REF else sr
    copy = _new_vdi(store, target_sr, name_label=record["name_label"],
                    name_description=record["name_description"],
                    virtual_size=record["virtual_size"], other_config=record["other_config"])
    _copy_file(vdi_path(store, vdi), vdi_path(store, copy))
    _record_size(store, copy)
    return copy


def destroy(call, vdi):
    if call.store.get("VDI", vdi)["VBDs"]:
        raise errors.XapiError("VDI_IN_USE", vdi, "destroy")
    os.remove(vdi_path(call.store, vdi))
    call.store.delete("VDI", vdi)


def methods():
    return {"VDI.destroy": destroy}
