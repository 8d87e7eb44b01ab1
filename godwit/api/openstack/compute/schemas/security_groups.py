"""Bodies of ``/os-security-groups`` and ``/os-security-group-rules`` (Nova's proxy API).

Ports may come as integers or numeric strings, as Nova accepted them; whether a rule makes
sense (protocol, range, CIDR) is godwit.compute.security_groups' check.
"""
from godwit.api.openstack.compute.schemas import types

NAME = {"type": "string", "minLength": 1, "maxLength": 255, "format": "printable"}
_DESCRIPTION = {"type": ["string", "null"], "maxLength": 255, "format": "printable"}
_PORT = {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"}
_NULLABLE_STRING = {"type": ["string", "null"], "maxLength": 255}

CREATE = types.wrapped("security_group", {"name": NAME, "description": _DESCRIPTION},
                       ("name",))
UPDATE = types.wrapped("security_group", {"name": NAME, "description": _DESCRIPTION})
CREATE_RULE = types.wrapped("security_group_rule", {
    "parent_group_id": {"type": ["string", "integer"], "minLength": 1, "maxLength": 255},
    "ip_protocol": _NULLABLE_STRING,
    "from_port": _PORT,
    "to_port": _PORT,
    "cidr": _NULLABLE_STRING,
    "group_id": {"type": ["string", "integer", "null"], "maxLength": 255},
}, ("parent_group_id",))
