"""The classes the simulator knows: each record's fields and their defaults, in wire form.

Records hold what XML-RPC carries: 64-bit integers as strings, enums as strings, references
as ``OpaqueRef:<uuid>`` (``OpaqueRef:NULL`` for none). Set-valued back references (a VM's
``VBDs``, an SR's ``VDIs``...) are not stored: ``BACK_REFERENCES`` says how to compute them.
"""
import uuid

NULL_REF = "OpaqueRef:NULL"

DEFAULTS = {
    "pool": {"name_label": "", "name_description": "", "master": NULL_REF,
             "default_SR": NULL_REF, "other_config": {}},
    "host": {"name_label": "", "name_description": "", "hostname": "", "address": "",
             "enabled": True, "metrics": NULL_REF, "software_version": {},
             "API_version_major": "2", "API_version_minor": "21", "API_version_vendor": "XenSource",
             "cpu_info": {}, "other_config": {}},
    # memory_free is computed when read (``metrics``); the stored value is never shown.
    "host_metrics": {"memory_total": "0", "memory_free": "0", "live": True, "other_config": {}},
    "SR": {"name_label": "", "name_description": "", "type": "ext", "content_type": "user",
           "shared": False, "physical_size": "0", "physical_utilisation": "0",
           "virtual_allocation": "0", "sm_config": {}, "other_config": {}},
    "PBD": {"host": NULL_REF, "SR": NULL_REF, "device_config": {}, "currently_attached": True,
            "other_config": {}},
    "VDI": {"name_label": "", "name_description": "", "SR": NULL_REF, "virtual_size": "0",
            "physical_utilisation": "0", "type": "user", "sharable": False, "read_only": False,
            "managed": True, "location": "", "is_a_snapshot": False, "snapshot_of": NULL_REF,
            "sm_config": {}, "other_config": {}},
    "VBD": {"VM": NULL_REF, "VDI": NULL_REF, "device": "", "userdevice": "0", "bootable": False,
            "mode": "RW", "type": "Disk", "empty": False, "currently_attached": False,
            "other_config": {}},
    "VM": {"name_label": "", "name_description": "", "power_state": "Halted",
           "is_a_template": False, "is_control_domain": False, "resident_on": NULL_REF,
           "domid": "-1", "memory_static_max": "536870912", "memory_dynamic_max": "536870912",
           "memory_dynamic_min": "536870912", "memory_static_min": "536870912",
           "VCPUs_max": "1", "VCPUs_at_startup": "1", "is_a_snapshot": False,
           "snapshot_of": NULL_REF, "other_config": {}},
    "task": {"name_label": "", "name_description": "", "status": "pending", "progress": 0.0,
             "result": "", "error_info": [], "created": "", "finished": "",
             "resident_on": NULL_REF, "other_config": {}},
}

BACK_REFERENCES = {
    # class: {field: (class referring to it, its field holding the reference)}
    "host": {"PBDs": ("PBD", "host"), "resident_VMs": ("VM", "resident_on")},
    "SR": {"PBDs": ("PBD", "SR"), "VDIs": ("VDI", "SR")},
    "VDI": {"VBDs": ("VBD", "VDI"), "snapshots": ("VDI", "snapshot_of")},
    "VM": {"VBDs": ("VBD", "VM"), "snapshots": ("VM", "snapshot_of")},
}

# Fields the client may change with set_<field> (name_label on every class that has one).
SETTABLE = {"VM": ("name_description", "is_a_template", "other_config", "memory_static_max",
                   "memory_dynamic_max", "memory_dynamic_min", "memory_static_min",
                   "VCPUs_max", "VCPUs_at_startup"),
            "VDI": ("name_description", "other_config"),
            "SR": ("name_description", "other_config")}


def new_ref():
    return f"OpaqueRef:{uuid.uuid4()}"


def fields(cls):
    """Every field a record of ``cls`` shows: stored ones, uuid, and back references."""
    return ["uuid", *DEFAULTS[cls], *BACK_REFERENCES.get(cls, {})]
