"""Bodies of ``POST /flavors`` and (2.55) ``PUT /flavors/{id}``."""
from godwit.api.openstack.compute.schemas import types

_FLAVOR = {
    "name": types.NAME,
    "id": {"type": ["string", "null"], "minLength": 1, "maxLength": 255,
           "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$"},
    "ram": types.POSITIVE_INT,
    "vcpus": types.POSITIVE_INT,
    "disk": types.NON_NEGATIVE_INT,
    "OS-FLV-EXT-DATA:ephemeral": types.NON_NEGATIVE_INT,
    "swap": types.NON_NEGATIVE_INT,
    "rxtx_factor": {"type": "number", "exclusiveMinimum": 0, "maximum": 3.40282e+38},
    "os-flavor-access:is_public": types.BOOLEAN,
}
_REQUIRED = ("name", "ram", "vcpus", "disk")

CREATE = types.wrapped("flavor", _FLAVOR, _REQUIRED)
CREATE_V255 = types.wrapped("flavor", {**_FLAVOR, "description": types.DESCRIPTION}, _REQUIRED)
UPDATE_V255 = types.wrapped("flavor", {"description": types.DESCRIPTION}, ("description",))
