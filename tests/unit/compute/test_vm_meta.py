"""The one validation of per-VM placement metadata, every field and every error."""
import pytest

from godwit import exception
from godwit.compute import vm_meta

HOSTS = ["h1", "h2"]


def check(values):
    return vm_meta.validate(values, known_hosts=HOSTS)


def refusal(values):
    with pytest.raises(exception.ValidationError) as err:
        check(values)
    return err.value.kwargs["field"], err.value.message


def test_fields_not_given_are_left_out():
    assert check({}) == {}
    assert check({"autostart": False}) == {"autostart": False}


def test_every_field_accepted():
    assert check({"node_limit": ["h2", "h1", "h2"], "node_selector": "memprov",
                  "autostart": True, "migration_method": "shutdown"}) == {
        "node_limit": ["h2", "h1"], "node_selector": "memprov", "autostart": True,
        "migration_method": "shutdown"}
    assert check({"node_limit": None, "node_selector": None}) == {
        "node_limit": [], "node_selector": None}


@pytest.mark.parametrize("selector", ["mem", "memprov", "load", "vcpus", "vms", "none"])
def test_each_selector(selector):
    assert check({"node_selector": selector}) == {"node_selector": selector}


@pytest.mark.parametrize("values, field, words", [
    ({"node_limit": ["h1", "h9", "h8"]}, "node_limit", "Unknown host(s): h9, h8."),
    ({"node_limit": "h1"}, "node_limit", "list of host names"),
    ({"node_limit": [""]}, "node_limit", "list of host names"),
    ({"node_selector": "fast"}, "node_selector", "'fast' is not one of"),
    ({"autostart": "perhaps"}, "autostart", "not a boolean"),
    ({"autostart": 2}, "autostart", "not a boolean"),
    ({"migration_method": "carry"}, "migration_method", "'carry' is not one of"),
    ({"colour": "red"}, "colour", "Unknown field"),
])
def test_each_error_names_its_field(values, field, words):
    named, message = refusal(values)
    assert named == field and field in message and words in message


def test_server_metadata_keys():
    assert vm_meta.from_metadata({"godwit:autostart": "no", "godwit:node_selector": "vms",
                                  "godwit:migration_method": "live", "role": "db"}) == {
        "autostart": False, "node_selector": "vms", "migration_method": "live"}


def test_server_metadata_errors_name_the_key():
    with pytest.raises(exception.ValidationError) as err:
        vm_meta.from_metadata({"godwit:autostart": "perhaps"})
    assert "metadata godwit:autostart" in err.value.message
