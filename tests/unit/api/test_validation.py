"""Schema validation errors name the field, in Nova's words; bodies are read defensively."""
import json

import pytest

from godwit import exception
from godwit.api import validation, wsgi
from godwit.api.openstack.compute.schemas import flavors, servers
from godwit.conf import CONF


def _message(body, schema):
    with pytest.raises(exception.ValidationError) as info:
        validation.validate(body, schema)
    assert info.value.code == 400
    return info.value.message


def _create(**server):
    return {"server": {"name": "vm", "imageRef": "8e0d3c1a-6a43-4cb4-9f0a-2c2f1b5c0a01",
                       "flavorRef": "1", "networks": "none", **server}}


def test_valid_bodies_pass():
    validation.validate(_create(), servers.CREATE_V252)
    validation.validate({"flavor": {"name": "f", "ram": 1, "vcpus": 1, "disk": 0}},
                        flavors.CREATE)


@pytest.mark.parametrize("server, expected", [
    ({"name": 5}, "Invalid input for field/attribute name. Value: 5. 5 is not of type "
                  "'string'"),
    ({"name": " vm"}, "Invalid input for field/attribute name. Value:  vm. An invalid 'name' "
                      "value was provided. The name must be: printable characters. Can not "
                      "start or end with whitespace."),
    ({"imageRef": "abc"}, "Invalid input for field/attribute imageRef. Value: abc. 'abc' is "
                          "not a UUID in canonical 8-4-4-4-12 form."),
    ({"networks": "some"}, "Invalid input for field/attribute networks. Value: some."),
    ({"min_count": 0}, "Invalid input for field/attribute min_count. Value: 0. 0 is less "
                       "than the minimum of 1"),
    ({"metadata": {"k": "v" * 256}}, "Invalid input for field/attribute k."),
    ({"bogus": 1}, "Invalid input for field/attribute server. Value: "),
])
def test_messages_name_the_field(server, expected):
    assert expected in _message(_create(**server), servers.CREATE_V252)


def test_an_item_of_a_list_is_named_by_its_list():
    message = _message(_create(networks=[5]), servers.CREATE)
    assert message.startswith("Invalid input for field/attribute networks. Value: 5.")


def test_an_empty_body_is_optional_only_when_asked(make_request):
    req = make_request()
    req.method = "POST"
    assert validation.read_json(req, optional=True) == {}
    with pytest.raises(exception.Invalid, match="a JSON object is required"):
        validation.read_json(req)


def test_top_level_errors_are_the_plain_message():
    assert _message({}, servers.CREATE) == "'server' is a required property"
    assert "('x' was unexpected)" in _message({**_create(), "x": 1}, servers.CREATE)


def test_long_values_are_shortened_in_messages():
    message = _message(_create(name="n" * 5000), servers.CREATE)
    assert len(message) < 1000


def _request(raw, content_length=None):
    req = wsgi.Request.blank("/", method="POST")
    req.body = raw
    if content_length is not None:
        req.environ["CONTENT_LENGTH"] = str(content_length)
    return req


@pytest.mark.parametrize("raw, words", [
    (b"", "a JSON object is required"), (b"{", "Malformed request body"),
    (b"[1]", "must be a JSON object"), (b'{"a": Infinity}', "Infinity"),
    (b'{"a": "\\udc00"}', "Malformed request body"), (b'{"a": ["\\u0000"]}', "NUL"),
    (b"[" * 100000, "Malformed request body")])
def test_read_json_refuses_with_400(raw, words):
    with pytest.raises(exception.Invalid) as info:
        validation.read_json(_request(raw))
    assert words in info.value.message


def test_escaped_backslash_then_u0000_is_text_not_nul():
    assert validation.read_json(_request(json.dumps({"a": "\\u0000"}).encode())) == {
        "a": "\\u0000"}


def test_read_json_refuses_large_bodies_with_413():
    big = b'{"a": "' + b"x" * CONF.api.max_body_size + b'"}'
    for req in (_request(big), _request(b"{}", content_length=CONF.api.max_body_size + 1)):
        with pytest.raises(validation.RequestTooLarge) as info:
            validation.read_json(req)
        assert info.value.code == 413


def test_schema_decorator_picks_the_schema_of_the_version(make_request):
    class Controller:
        @validation.schema({"type": "object", "required": ["new"]}, "2.10")
        @validation.schema({"type": "object", "required": ["old"]}, "2.1", "2.9")
        def create(self, req, body):
            return body

    def call(version, body):
        req = make_request(version=version)
        req.method = "POST"
        req.body = json.dumps(body).encode()
        return Controller().create(req)

    assert call((2, 9), {"old": 1}) == {"old": 1}
    assert call((2, 10), {"new": 1}) == {"new": 1}
    with pytest.raises(exception.ValidationError, match="'old' is a required"):
        call((2, 9), {"new": 1})
    assert [low for _, low, _ in Controller.create.body_schemas] == ["2.10", "2.1"]
