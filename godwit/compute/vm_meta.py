"""Per-VM placement metadata: what every entry point (admin API, Compute API server
metadata, ``godwit vm define``/``vm meta``) accepts, checked in one place (doc/ha.md).

    node_limit        the hosts the instance may run on ([] or None: any)
    node_selector     how an automatic move ranks targets (none: [ha] default_node_selector)
    autostart         start it again when its home host is unflushed, if it had to be stopped
    migration_method  how a flush moves it: live, shutdown (cold migration) or none (stays)

``validate`` turns the fields a caller gave into instance column values, or raises a
ValidationError naming the first bad field; fields not given are not in the result, so an
update leaves them alone.
"""
from godwit import exception
from godwit.conf.ha import NODE_SELECTORS
from godwit.db import api as db

FIELDS = ("node_limit", "node_selector", "autostart", "migration_method")
SELECTORS = (*NODE_SELECTORS, "none")
METHODS = ("live", "shutdown", "none")

# Compute API server metadata keys, one per field (doc/ha.md).
METADATA_KEYS = {f"godwit:{field}": field for field in FIELDS}

# JSON Schema of the fields, for API request bodies (the values are re-checked by validate).
SCHEMA_PROPERTIES = {
    "node_limit": {"type": ["array", "null"], "maxItems": 1000,
                   "items": {"type": "string", "minLength": 1, "maxLength": 255}},
    "node_selector": {"type": ["string", "null"], "enum": [*SELECTORS, None]},
    "autostart": {"type": "boolean"},
    "migration_method": {"type": ["string", "null"], "enum": [*METHODS, None]},
}


def validate(values, known_hosts=None):
    """The column values for the placement fields in ``values`` (a dict), checked.

    ``known_hosts`` (names) defaults to the hosts in the database; a node_limit naming any
    other is refused, naming them.
    """
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise _invalid(unknown[0], f"Unknown field; the placement fields are "
                                   f"{', '.join(FIELDS)}.")
    result = {}
    if "node_limit" in values:
        result["node_limit"] = _node_limit(values["node_limit"], known_hosts)
    if "node_selector" in values:
        result["node_selector"] = _choice("node_selector", values["node_selector"], SELECTORS)
    if "autostart" in values:
        result["autostart"] = _boolean("autostart", values["autostart"])
    if "migration_method" in values:
        result["migration_method"] = _choice("migration_method", values["migration_method"],
                                             METHODS)
    return result


def from_metadata(metadata):
    """The placement fields among Compute API server metadata (strings), parsed and
    validated: ``godwit:node_limit`` is comma-separated host names (empty: any)."""
    given = {METADATA_KEYS[key]: value for key, value in (metadata or {}).items()
             if key in METADATA_KEYS}
    if "node_limit" in given:
        given["node_limit"] = [name.strip() for name in given["node_limit"].split(",")
                               if name.strip()]
    try:
        return validate(given)
    except exception.ValidationError as err:
        field = err.kwargs["field"]
        raise _invalid(f"metadata godwit:{field}", err.kwargs["reason"]) from None


def show(instance):
    """The placement fields of an instance, as the APIs show them."""
    return {"node_limit": list(instance.node_limit or []),
            "node_selector": instance.node_selector or "none",
            "autostart": bool(instance.autostart),
            "migration_method": instance.migration_method}


def _node_limit(value, known_hosts):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(name, str) and name
                                              for name in value):
        raise _invalid("node_limit", "Must be a list of host names.")
    known = set(_host_names() if known_hosts is None else known_hosts)
    missing = [name for name in value if name not in known]
    if missing:
        raise _invalid("node_limit", f"Unknown host(s): {', '.join(missing)}.")
    return list(dict.fromkeys(value))


def _choice(field, value, allowed):
    if value is None:
        return None
    if value not in allowed:
        raise _invalid(field, f"{value!r} is not one of {', '.join(allowed)}.")
    return value


def _boolean(field, value):
    """A boolean, or its spelling in server metadata (true/false, yes/no, 1/0)."""
    if isinstance(value, bool):
        return value
    spelled = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
    if isinstance(value, str) and value.strip().lower() in spelled:
        return spelled[value.strip().lower()]
    raise _invalid(field, f"{value!r} is not a boolean (true or false).")


def _host_names():
    return [host.name for host in db.host_list()]


def _invalid(field, reason):
    return exception.ValidationError(field=field, reason=reason)
