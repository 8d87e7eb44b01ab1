"""JSON schemas for request bodies, and the validator that turns errors into 400s."""
import jsonschema

from godwit import exception

_STRING = {"type": "string", "minLength": 1, "maxLength": 255}


def _unless_id(*required):
    """Without an ``id``, these properties name the object instead."""
    return {"if": {"not": {"required": ["id"]}}, "then": {"required": list(required)}}


_DOMAIN = {
    "type": "object",
    "properties": {"id": _STRING, "name": _STRING},
    **_unless_id("name"),
}


def _named(extra_properties=None, required=()):
    """An object named by ``id``, or by ``name`` within a ``domain``."""
    return {
        "type": "object",
        "properties": {"id": _STRING, "name": _STRING, "domain": _DOMAIN,
                       **(extra_properties or {})},
        "required": list(required),
        **_unless_id("name", "domain"),
    }


def _method_needs(method):
    return {"if": {"properties": {"methods": {"contains": {"const": method}}}},
            "then": {"required": [method]}}


AUTH = {
    "type": "object",
    "required": ["auth"],
    "properties": {"auth": {
        "type": "object",
        "required": ["identity"],
        "properties": {
            "identity": {
                "type": "object",
                "required": ["methods"],
                "properties": {
                    "methods": {"type": "array", "minItems": 1, "maxItems": 1,
                                "items": {"enum": ["password", "token"]}},
                    "password": {
                        "type": "object",
                        "required": ["user"],
                        "properties": {"user": _named(
                            {"password": {"type": "string", "maxLength": 4096}},
                            required=["password"])},
                    },
                    "token": {"type": "object", "required": ["id"],
                              "properties": {"id": _STRING}},
                },
                "allOf": [_method_needs("password"), _method_needs("token")],
            },
            "scope": {
                "type": ["object", "string"],
                "if": {"type": "string"},
                "then": {"const": "unscoped"},
                "else": {"properties": {"project": _named()}},
            },
        },
    }},
}


_REASONS = {
    "type": "must be of type {}",
    "enum": "must be one of {}",
    "const": "must be {}",
    "minItems": "must have at least {} item(s)",
    "maxItems": "must have at most {} item(s)",
    "minLength": "must be at least {} character(s) long",
    "maxLength": "must be at most {} characters long",
}


def _reason(error):
    """What is wrong, without repeating the value: it may be a password."""
    if error.validator == "required":
        return f"{error.message}."
    template = _REASONS.get(error.validator, "is not in any accepted form")
    return "The value " + template.format(repr(error.validator_value)) + "."


def validate(schema, body):
    """Returns ``body`` if it matches ``schema``; else a 400 naming the offending field."""
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:
        return body
    field = ".".join(str(part) for part in error.absolute_path) or "body"
    raise exception.ValidationError(field=field, reason=_reason(error))
