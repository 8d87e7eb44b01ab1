"""Bodies of ``POST /servers`` and ``POST /servers/{id}/action``."""
from godwit.api.openstack.compute.schemas import security_groups, types

_NETWORK = {
    "type": "object",
    "properties": {"uuid": types.UUID, "port": {"type": ["string", "null"], "format": "uuid"},
                   "fixed_ip": {"type": "string"}, "tag": {"type": "string", "maxLength": 60}},
    "additionalProperties": False,
}
_NETWORK_LIST = {"type": "array", "items": _NETWORK}

# Nova's block_device_mapping_v2 entries. godwit boots from the image on local disk only, so the
# controller accepts just the entry that says so (what ``openstack server create --image``
# sends); the schema describes the rest so that the 400 can say what is unsupported.
_BLOCK_DEVICE = {
    "type": "object",
    "properties": {
        "uuid": {"type": "string", "minLength": 1, "maxLength": 255,
                 "pattern": "^[a-zA-Z0-9._-]*$"},
        "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
        "destination_type": {"type": "string", "enum": ["local", "volume"]},
        "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"},
        "delete_on_termination": types.BOOLEAN,
        "device_name": {"type": "string", "minLength": 1, "maxLength": 255},
        "device_type": {"type": "string", "maxLength": 255},
        "disk_bus": {"type": "string", "maxLength": 255},
        "guest_format": {"type": "string", "maxLength": 255},
        "volume_size": {"type": ["integer", "string", "null"], "pattern": "^[0-9]+$"},
        "no_device": {},
    },
    "additionalProperties": False,
}

_TAGS = {"type": "array", "maxItems": 50,
         "items": {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "^[^,/]*$"}}

_BASE = {
    "name": types.NAME,
    "imageRef": types.UUID,
    "flavorRef": {"type": ["string", "integer"], "minLength": 1, "maxLength": 255},
    "metadata": types.METADATA,
    "availability_zone": types.NAME,
    "key_name": types.NAME,
    "min_count": types.POSITIVE_INT,
    "max_count": types.POSITIVE_INT,
    "return_reservation_id": types.BOOLEAN,
    "networks": _NETWORK_LIST,
    "block_device_mapping_v2": {"type": "array", "items": _BLOCK_DEVICE},
    "security_groups": {"type": "array", "items": {
        "type": "object", "properties": {"name": security_groups.NAME},
        "required": ["name"], "additionalProperties": False}},
}
_REQUIRED = ("name", "imageRef", "flavorRef")

CREATE = types.wrapped("server", _BASE, _REQUIRED)
CREATE_V219 = types.wrapped("server", {**_BASE, "description": types.DESCRIPTION}, _REQUIRED)
_V237 = {**_BASE, "description": types.DESCRIPTION,
         "networks": {"oneOf": [{"type": "array", "minItems": 1, "items": _NETWORK},
                                {"type": "string", "enum": ["none", "auto"]}]}}
CREATE_V237 = types.wrapped("server", _V237, _REQUIRED + ("networks",))
_V252 = {**_V237, "tags": _TAGS}
CREATE_V252 = types.wrapped("server", _V252, _REQUIRED + ("networks",))
# 2.63: certificates to verify the image with (godwit cannot: the controller accepts none).
_V263 = {**_V252, "trusted_image_certificates": {
    "type": ["array", "null"], "minItems": 1, "maxItems": 50, "uniqueItems": True,
    "items": {"type": "string", "minLength": 1}}}
CREATE_V263 = types.wrapped("server", _V263, _REQUIRED + ("networks",))
# 2.67: a volume type per block device (volumes stay unsupported: the controller refuses).
_V267 = {**_V263, "block_device_mapping_v2": {"type": "array", "items": {
    **_BLOCK_DEVICE, "properties": {**_BLOCK_DEVICE["properties"],
                                    "volume_type": {"type": ["string", "null"],
                                                    "maxLength": 255}}}}}
CREATE_V267 = types.wrapped("server", _V267, _REQUIRED + ("networks",))
# 2.74: the host to build on (in godwit both fields name the same host).
_HOST = {"type": "string", "minLength": 1, "maxLength": 255}
CREATE_V274 = types.wrapped("server", {**_V267, "host": _HOST, "hypervisor_hostname": _HOST},
                            _REQUIRED + ("networks",))

_NO_ARGUMENTS = {"type": ["null", "object"], "additionalProperties": False}
_SECURITY_GROUP = {"type": "object", "properties": {"name": security_groups.NAME},
                   "required": ["name"], "additionalProperties": False}

ACTIONS = {
    "os-start": _NO_ARGUMENTS,
    "os-stop": _NO_ARGUMENTS,
    "suspend": _NO_ARGUMENTS,
    "resume": _NO_ARGUMENTS,
    "reboot": {
        "type": "object",
        "properties": {"type": {"type": "string",
                                "enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}},
        "required": ["type"],
        "additionalProperties": False,
    },
    "resize": {
        "type": "object",
        "properties": {"flavorRef": _BASE["flavorRef"],
                       "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]}},
        "required": ["flavorRef"],
        "additionalProperties": False,
    },
    "confirmResize": _NO_ARGUMENTS,
    "revertResize": _NO_ARGUMENTS,
    "migrate": _NO_ARGUMENTS,
    # Nova's shape across microversions; godwit has no block migration (shared storage only).
    "os-migrateLive": {
        "type": "object",
        "properties": {"host": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
                       "block_migration": {"enum": [True, False, "auto"]},
                       "disk_over_commit": {"type": "boolean"},
                       "force": {"type": "boolean"}},
        "required": ["host", "block_migration"],
        "additionalProperties": False,
    },
    "addSecurityGroup": _SECURITY_GROUP,
    "removeSecurityGroup": _SECURITY_GROUP,
}
# From 2.56 ``migrate`` may name the destination host.
ACTIONS_V256 = {
    **ACTIONS,
    "migrate": {"type": ["null", "object"],
                "properties": {"host": {"type": ["string", "null"], "minLength": 1,
                                        "maxLength": 255}},
                "additionalProperties": False},
}


def action(name, actions=ACTIONS):
    """The whole body of one action: ``{name: arguments}`` and nothing else."""
    return {"type": "object", "properties": {name: actions[name]}, "required": [name],
            "additionalProperties": False}
