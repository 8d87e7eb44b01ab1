"""Calls every class answers: get_record, get_all(_records), get_by_uuid, get_<field>..."""
import functools

from godwit.virt.xenapi.simulator import errors, model


def get_record(cls, call, ref):
    return call.store.get(cls, ref)


def get_all(cls, call):
    return call.store.refs(cls)


def get_all_records(cls, call):
    return {ref: call.store.get(cls, ref) for ref in call.store.refs(cls)}


def get_by_uuid(cls, call, uuid):
    refs = call.store.find(cls, uuid=uuid)
    if not refs:
        raise errors.XapiError("UUID_INVALID", cls, uuid)
    return refs[0]


def get_by_name_label(cls, call, label):
    return call.store.find(cls, name_label=label)


def get_field(cls, field, call, ref):
    return call.store.get(cls, ref)[field]


def set_field(cls, field, call, ref, value):
    call.store.update(cls, ref, **{field: value})


def add_to_other_config(cls, call, ref, key, value):
    other_config = call.store.get(cls, ref)["other_config"]
    if key in other_config:
        raise errors.XapiError("MAP_DUPLICATE_KEY", cls, "other_config", ref, key)
    call.store.update(cls, ref, other_config=dict(other_config, **{key: value}))


def remove_from_other_config(cls, call, ref, key):
    other_config = call.store.get(cls, ref)["other_config"]
    other_config.pop(key, None)
    call.store.update(cls, ref, other_config=other_config)


def methods():
    table = {}
    for cls in model.DEFAULTS:
        for handler in (get_record, get_all, get_all_records, get_by_uuid,
                        add_to_other_config, remove_from_other_config):
            table[f"{cls}.{handler.__name__}"] = functools.partial(handler, cls)
        for field in model.fields(cls):
            table[f"{cls}.get_{field}"] = functools.partial(get_field, cls, field)
        settable = model.SETTABLE.get(cls, ())
        if "name_label" in model.DEFAULTS[cls]:
            table[f"{cls}.get_by_name_label"] = functools.partial(get_by_name_label, cls)
            settable += ("name_label",)
        for field in settable:
            table[f"{cls}.set_{field}"] = functools.partial(set_field, cls, field)
    return table
