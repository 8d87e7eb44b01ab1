"""Request body validation with JSON Schema, and Nova's wording for what is wrong.

Controllers declare their body schemas per microversion with ``@schema``; the body is read
(413 when over [api] max_body_size, 400 when not a JSON object), validated, and passed on as
``body``. Errors name the field: ``Invalid input for field/attribute name. Value: ...``.
"""
import functools
import json
import re
import uuid

import jsonschema

from godwit import exception
from godwit.api.openstack import microversion
from godwit.conf import CONF

_MAX_VALUE_SHOWN = 255
_NUL = re.compile(r"(?<!\\)(\\\\)*\\u0000")  # an escaped NUL, not an escaped backslash + "u0000"


class RequestTooLarge(exception.GodwitException):
    code = 413
    msg_fmt = "Request is too large."


# --- formats -----------------------------------------------------------------------------------

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value):
    if not isinstance(value, str):
        return True
    try:
        canonical = str(uuid.UUID(value)) == value.lower()
    except ValueError:
        canonical = False
    if not canonical:
        raise ValueError(f"'{_shown(value)}' is not a UUID in canonical 8-4-4-4-12 form.")
    return True


@FORMATS.checks("name", raises=ValueError)
def _is_name(value):
    if not isinstance(value, str):
        return True
    if value != value.strip() or not value.isprintable():
        raise ValueError("An invalid 'name' value was provided. The name must be: printable "
                         "characters. Can not start or end with whitespace.")
    return True


@FORMATS.checks("printable", raises=ValueError)
def _is_printable(value):
    if isinstance(value, str) and not value.isprintable():
        raise ValueError("The value must be printable characters.")
    return True


# --- validating --------------------------------------------------------------------------------

def _shown(value):
    text = str(value)
    return text if len(text) <= _MAX_VALUE_SHOWN else text[:_MAX_VALUE_SHOWN] + "..."


def error_message(error):
    """Nova's message for a jsonschema error: the field, its value, and what is wrong.

    The field is the innermost name on the path: an item of a list is named by its list.
    """
    reason = str(error.cause) if error.validator == "format" and error.cause else error.message
    names = [part for part in error.absolute_path if isinstance(part, str)]
    if names:
        return (f"Invalid input for field/attribute {names[-1]}. "
                f"Value: {_shown(error.instance)}. {reason}")
    return reason


def validate(instance, schema):
    """Raises ValidationError (400) naming the first offending field."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise exception.ValidationError(message=error_message(error))


def read_json(req, optional=False):
    """The body as a JSON object: 413 over [api] max_body_size, 400 if it is not one.

    Beyond what ``json`` accepts, NaN/Infinity, lone surrogates and NUL characters are
    refused too: no database stores them all, and a 400 now beats a 500 later. With
    ``optional`` an empty body is ``{}``.
    """
    if req.content_length is not None and req.content_length > CONF.api.max_body_size:
        raise RequestTooLarge()
    raw = req.body
    if len(raw) > CONF.api.max_body_size:
        raise RequestTooLarge()
    if not raw and optional:
        return {}
    if not raw:
        raise exception.Invalid("Malformed request body: a JSON object is required.")
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as err:
        raise exception.Invalid(f"Malformed request body: {_shown(err)}") from None
    if not isinstance(body, dict):
        raise exception.Invalid("Malformed request body: the body must be a JSON object.")
    if _NUL.search(json.dumps(body)):
        raise exception.Invalid("Malformed request body: NUL characters are not allowed.")
    return body


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def schema(body_schema, min_version=None, max_version=None, optional=False):
    """Validates the body of a controller method against the schema of the request's version.

    Stack one per version range (``"2.N"`` strings, inclusive); the first that covers the
    request applies. The method receives the parsed body as ``body``. ``optional`` (of the
    outermost one): an empty body is validated as ``{}``.
    """
    def decorator(func):
        original = getattr(func, "unvalidated", func)
        schemas = [(body_schema, min_version, max_version)] + getattr(func, "body_schemas", [])

        @functools.wraps(original)
        def wrapper(self, req, **kwargs):
            body = read_json(req, optional)
            for candidate, low, high in schemas:
                if microversion.is_supported(req, low, high):
                    validate(body, candidate)
                    break
            return original(self, req, body=body, **kwargs)

        wrapper.body_schemas = schemas
        wrapper.body_optional = optional
        wrapper.unvalidated = original
        return wrapper
    return decorator
