"""JSON Schemas (Draft 2020-12) of the admin API's request bodies and its servers' and
migrations' queries."""
from godwit.compute import states

_HOST = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}

RESIZE = {
    "type": "object",
    "properties": {"flavor": {"type": "string", "minLength": 1, "maxLength": 255},
                   "host": _HOST},
    "required": ["flavor"],
    "additionalProperties": False,
}

COLD_MIGRATE = {
    "type": "object",
    "properties": {"host": _HOST},
    "additionalProperties": False,
}

LIVE_MIGRATE = {
    "type": "object",
    "properties": {"host": {"type": "string", "minLength": 1, "maxLength": 255}},
    "required": ["host"],
    "additionalProperties": False,
}

# ``GET /admin/v1/servers/{id}/migration-hosts``: integers when made of digits.
MIGRATION_HOSTS_QUERY = {
    "type": "object",
    "properties": {
        "start": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
    },
    "additionalProperties": False,
}

# ``GET /admin/v1/migrations``: ``status`` is a list (it may be repeated), ``limit`` an
# integer when it is made of digits; every other parameter is one string.
MIGRATIONS_QUERY = {
    "type": "object",
    "properties": {
        "host": {"type": "string", "minLength": 1, "maxLength": 255},
        "status": {"type": "array", "items": {"enum": list(states.MIGRATION_STATUSES)}},
        "server": {"type": "string", "format": "uuid"},
        "type": {"enum": list(states.MIGRATION_TYPES)},
        "open": {"enum": ["true", "false"]},
        "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
        "marker": {"type": "string", "format": "uuid"},
    },
    "additionalProperties": False,
}
