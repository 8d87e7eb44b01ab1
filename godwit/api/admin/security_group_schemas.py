"""JSON Schemas of the admin API's security group and rule bodies (Neutron's field names;
whether a rule makes sense is godwit.compute.security_groups' check)."""
_NAME = {"type": "string", "minLength": 1, "maxLength": 255, "format": "printable"}
_PORT = {"type": ["integer", "null"], "minimum": -1, "maximum": 65535}

CREATE = {
    "type": "object",
    "properties": {"security_group": {
        "type": "object",
        "properties": {"project_id": {"type": "string", "minLength": 1, "maxLength": 64},
                       "name": _NAME,
                       "description": {"type": ["string", "null"], "maxLength": 255,
                                       "format": "printable"}},
        "required": ["project_id", "name"], "additionalProperties": False}},
    "required": ["security_group"], "additionalProperties": False,
}

CREATE_RULE = {
    "type": "object",
    "properties": {"rule": {
        "type": "object",
        "properties": {"protocol": {"type": ["string", "null"], "enum": ["tcp", "udp", "icmp",
                                                                         None]},
                       "port_range_min": _PORT, "port_range_max": _PORT,
                       "remote_ip_prefix": {"type": ["string", "null"], "maxLength": 64},
                       "remote_group_id": {"type": ["string", "null"], "format": "uuid"}},
        "additionalProperties": False}},
    "required": ["rule"], "additionalProperties": False,
}
