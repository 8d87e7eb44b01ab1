"""JSON Schemas of the zone, pod, cluster and host bodies and list queries (admin API)."""
from godwit.db import models

_NAME = {"type": "string", "minLength": 1, "maxLength": 255, "format": "name"}
_STATE = {"enum": list(models.ALLOCATION_STATES)}
_MANAGED = {"enum": list(models.MANAGED_STATES)}
_UUID = {"type": "string", "format": "uuid"}


def _body(key, properties, required=()):
    """``{key: {...}}``; an update (nothing required) must change something."""
    inner = {"type": "object", "properties": properties, "required": list(required),
             "additionalProperties": False}
    if not required:
        inner["minProperties"] = 1
    return {"type": "object", "properties": {key: inner}, "required": [key],
            "additionalProperties": False}


def _query(**properties):
    return {"type": "object", "properties": {"allocationstate": _STATE, **properties},
            "additionalProperties": False}


ZONE_CREATE = _body("zone", {"name": _NAME, "allocationstate": _STATE}, ["name"])
ZONE_UPDATE = _body("zone", {"name": _NAME, "allocationstate": _STATE})
ZONES_QUERY = _query()

POD_CREATE = _body("pod", {"name": _NAME, "zone_id": _UUID, "allocationstate": _STATE},
                   ["name", "zone_id"])
POD_UPDATE = _body("pod", {"name": _NAME, "allocationstate": _STATE})
PODS_QUERY = _query(zone_id=_UUID)

CLUSTER_CREATE = _body("cluster", {
    "name": _NAME, "pod_id": _UUID, "allocationstate": _STATE, "managedstate": _MANAGED,
    "hypervisor_type": {"type": "string", "minLength": 1, "maxLength": 32, "format": "name"},
}, ["name", "pod_id", "hypervisor_type"])
CLUSTER_UPDATE = _body("cluster", {"name": _NAME, "allocationstate": _STATE,
                                   "managedstate": _MANAGED})
CLUSTERS_QUERY = _query(pod_id=_UUID, zone_id=_UUID, managedstate=_MANAGED)

HOST_CREATE = _body("host", {"name": _NAME, "cluster_id": _UUID, "allocationstate": _STATE},
                    ["name", "cluster_id"])
# cluster_id null takes the host out of its cluster.
HOST_UPDATE = _body("host", {"allocationstate": _STATE,
                             "cluster_id": {"type": ["string", "null"], "format": "uuid"}})
HOSTS_QUERY = _query(cluster_id=_UUID)
