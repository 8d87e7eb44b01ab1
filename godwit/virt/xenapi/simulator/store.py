"""Every XAPI object of a simulator, by class and reference, kept in a JSON file.

The file is rewritten (atomically) by ``save`` after each call that changed something, so
a restarted simulator finds its objects under the same references. Callers hold ``lock``
around a whole XAPI call (``lock_for``); records handed out are copies, changed only
through ``update``.
"""
import contextlib
import copy
import json
import os
import threading
import uuid

from godwit.virt.xenapi.simulator import errors, model

FILENAME = "xapi-db.json"


class Store:
    def __init__(self, state_dir):
        self.path = os.path.join(state_dir, FILENAME)
        self.lock = threading.RLock()
        self._objects = {cls: {} for cls in model.DEFAULTS}
        self._dirty = False

    def lock_for(self, handler):
        """The lock a handler runs under: the store's, unless the handler is marked
        ``without_store_lock`` (it waits on something that calls back into the simulator,
        and locks only around what it reads or writes)."""
        if getattr(handler, "without_store_lock", False):
            return contextlib.nullcontext()
        return self.lock

    def load(self):
        """Reads the saved objects; False when there are none yet (a first start)."""
        try:
            with open(self.path) as stream:
                saved = json.load(stream)
        except FileNotFoundError:
            return False
        for cls, objects in saved.items():
            self._objects[cls].update(objects)
        return True

    def save(self):
        if not self._dirty:
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w") as stream:
            json.dump(self._objects, stream, indent=1, sort_keys=True)
        os.replace(temporary, self.path)
        self._dirty = False

    def create(self, cls, **fields):
        ref = model.new_ref()
        record = copy.deepcopy(model.DEFAULTS[cls])
        record.update(copy.deepcopy(fields))
        record.setdefault("uuid", str(uuid.uuid4()))
        self._objects[cls][ref] = record
        self._dirty = True
        return ref

    def _stored(self, cls, ref):
        try:
            return self._objects[cls][ref]
        except KeyError:
            raise errors.handle_invalid(cls, ref) from None

    def get(self, cls, ref):
        """A copy of the record; fields added to the model since it was saved get their
        defaults."""
        record = copy.deepcopy(dict(model.DEFAULTS[cls], **self._stored(cls, ref)))
        for field, (other, key) in model.BACK_REFERENCES.get(cls, {}).items():
            record[field] = self.find(other, **{key: ref})
        return record

    def update(self, cls, ref, **fields):
        self._stored(cls, ref).update(copy.deepcopy(fields))
        self._dirty = True

    def delete(self, cls, ref):
        self._stored(cls, ref)
        del self._objects[cls][ref]
        self._dirty = True

    def exists(self, cls, ref):
        return ref in self._objects[cls]

    def refs(self, cls):
        return list(self._objects[cls])

    def find(self, cls, **match):
        """References of the ``cls`` objects whose fields equal ``match``."""
        return [ref for ref, record in self._objects[cls].items()
                if all(record.get(field) == value for field, value in match.items())]
