"""Field types shared by the compute request schemas (Nova's ``parameter_types``)."""

MAX_INT = 2147483647

NAME = {"type": "string", "minLength": 1, "maxLength": 255, "format": "name"}

DESCRIPTION = {"type": ["string", "null"], "minLength": 0, "maxLength": 255,
               "format": "printable"}

UUID = {"type": "string", "format": "uuid"}

BOOLEAN = {"type": ["boolean", "string"],
           "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
                    False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No",
                    "no"]}

POSITIVE_INT = {"type": "integer", "minimum": 1, "maximum": MAX_INT}

NON_NEGATIVE_INT = {"type": "integer", "minimum": 0, "maximum": MAX_INT}

METADATA = {
    "type": "object",
    "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}


def wrapped(key, properties, required=()):
    """``{key: {...}}``: the one-key envelope Nova wraps every request body in."""
    return {
        "type": "object",
        "properties": {key: {"type": "object", "properties": properties,
                             "required": list(required), "additionalProperties": False}},
        "required": [key],
        "additionalProperties": False,
    }
