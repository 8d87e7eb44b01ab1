"""Microversion negotiation: which header wins, what is malformed, what is out of range."""
import pytest
import webob

from godwit import exception
from godwit.api import wsgi
from godwit.api.openstack import microversion as mv


@pytest.mark.parametrize("headers, expected", [
    ({}, None),
    ({"OpenStack-API-Version": "compute 2.5"}, "2.5"),
    ({"OpenStack-API-Version": "COMPUTE 2.5"}, "2.5"),
    ({"OpenStack-API-Version": "image 2.5"}, None),
    ({"OpenStack-API-Version": "image 2.5,  compute   2.7"}, "2.7"),
    ({"X-OpenStack-Nova-API-Version": " 2.3 "}, "2.3"),
    ({"OpenStack-API-Version": "compute 2.4", "X-OpenStack-Nova-API-Version": "2.3"}, "2.4"),
    ({"OpenStack-API-Version": "image 1.0", "X-OpenStack-Nova-API-Version": "2.3"}, "2.3"),
])
def test_requested(headers, expected):
    assert mv.requested(headers) == expected


@pytest.mark.parametrize("text, expected", [
    (None, (2, 1)), ("2.1", (2, 1)), ("2.60", (2, 60)), ("latest", mv.MAX_VERSION),
    ("LATEST", mv.MAX_VERSION)])
def test_negotiate(text, expected):
    assert mv.negotiate(text) == expected


@pytest.mark.parametrize("text", ["2", "2.", ".1", "02.1", "2.01", "2.1a", "a.b", "2.1.0"])
def test_malformed(text):
    with pytest.raises(mv.MalformedVersion) as info:
        mv.negotiate(text)
    assert info.value.code == 400
    assert text in info.value.message


@pytest.mark.parametrize("text", ["1.0", "2.0", "3.0", "2.75"])
def test_not_acceptable(text):
    with pytest.raises(mv.VersionNotAcceptable) as info:
        mv.negotiate(text)
    assert info.value.code == 406
    assert info.value.message.startswith(f"Version {text} is not supported by the API.")


def test_max_version_is_what_the_docstring_documents():
    assert f"advertises {mv.to_string(mv.MAX_VERSION)}" in mv.__doc__


def test_is_supported_and_versioned(make_request):
    req = make_request(version=(2, 53))
    assert mv.is_supported(req, "2.53") and mv.is_supported(req, None, "2.53")
    assert not mv.is_supported(req, "2.54") and not mv.is_supported(req, None, "2.52")

    class Controller:
        @mv.versioned("2.10", "2.20")
        def act(self, req):
            return "done"

    assert Controller().act(make_request(version=(2, 15))) == "done"
    with pytest.raises(exception.NotFound):
        Controller().act(make_request(version=(2, 21)))


def test_middleware_sets_and_echoes_the_version():
    seen = {}

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def app(req):
        seen["version"] = req.api_version
        return webob.Response("ok")

    req = webob.Request.blank("/", headers={"X-OpenStack-Nova-API-Version": "2.47"})
    resp = req.get_response(mv.MicroversionMiddleware(app))
    assert seen["version"] == (2, 47)
    assert resp.headers["OpenStack-API-Version"] == "compute 2.47"
    assert resp.headers["X-OpenStack-Nova-API-Version"] == "2.47"
    assert resp.headers["Vary"] == "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
