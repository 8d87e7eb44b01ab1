"""JSON Schema (Draft 2020-12) of ``POST /admin/v1/servers``."""
from godwit.api.openstack.compute.schemas import types

CREATE = {
    "type": "object",
    "properties": {
        "name": types.NAME,
        "flavor": {"type": "string", "minLength": 1, "maxLength": 255},
        "image": types.UUID,
        "host_id": types.UUID,
        "availability_zone": types.NAME,
        "metadata": types.METADATA,
        "count": {**types.POSITIVE_INT, "maximum": 100},
    },
    "required": ["name", "flavor", "image"],
    "additionalProperties": False,
}
