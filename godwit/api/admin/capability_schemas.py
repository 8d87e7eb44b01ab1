"""JSON Schemas (Draft 2020-12) of the hypervisor capability bodies and queries."""
from godwit.compute import capabilities

_INT32 = 2**31 - 1
_TYPE = {"enum": list(capabilities.HYPERVISOR_TYPES)}
# As hosts report it ("8.2.1"): printable, without surrounding whitespace.
_VERSION = {"type": "string", "minLength": 1, "maxLength": 64, "format": "printable",
            "pattern": r"^\S(.*\S)?$"}
_COUNT = {"type": "integer", "minimum": 0, "maximum": _INT32}

_FIELDS = {
    "hypervisor_type": _TYPE,
    "hypervisor_version": _VERSION,
    "max_guests_limit": _COUNT,
    "security_group_enabled": {"type": "boolean"},
    "max_data_volumes_limit": _COUNT,
    "storage_motion_supported": {"type": "boolean"},
}


def _body(required=(), min_properties=0):
    capability = {"type": "object", "properties": _FIELDS, "additionalProperties": False,
                  "required": list(required), "minProperties": min_properties}
    return {"type": "object", "properties": {"hypervisor_capability": capability},
            "required": ["hypervisor_capability"], "additionalProperties": False}


CREATE = _body(required=("hypervisor_type", "hypervisor_version"))
UPDATE = _body(min_properties=1)

# Query strings: every parameter is one string (a repeated one is a list, and refused).
LIST_QUERY = {
    "type": "object",
    "properties": {"hypervisor_type": _TYPE, "hypervisor_version": _VERSION},
    "additionalProperties": False,
}
LOOKUP_QUERY = dict(LIST_QUERY, required=["hypervisor_type"])
