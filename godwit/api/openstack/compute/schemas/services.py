"""Bodies of the os-services updates: the pre-2.53 actions and the 2.53 ``PUT /{id}``."""
from godwit.api.openstack.compute.schemas import types

_HOST = {"type": "string", "minLength": 1, "maxLength": 255}
_BINARY = {"type": "string", "minLength": 1, "maxLength": 255}
_REASON = {"type": "string", "minLength": 1, "maxLength": 255}


def _action(extra=None, required=()):
    return {"type": "object",
            "properties": {"host": _HOST, "binary": _BINARY, **(extra or {})},
            "required": ["host", "binary", *required],
            "additionalProperties": False}


ENABLE_DISABLE = _action()
DISABLE_LOG_REASON = _action({"disabled_reason": _REASON}, ("disabled_reason",))
FORCE_DOWN = _action({"forced_down": types.BOOLEAN}, ("forced_down",))

UPDATE_V253 = {
    "type": "object",
    "properties": {"status": {"type": "string", "enum": ["enabled", "disabled"]},
                   "disabled_reason": _REASON,
                   "forced_down": types.BOOLEAN},
    "additionalProperties": False,
}
