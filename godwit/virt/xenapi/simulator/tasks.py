"""``Async.<Class>.<method>`` calls: each runs in a thread of its own behind a task record.

``task.cancel`` asks a pending task's handler to stop: handlers that wait (see
``Call.cancelled``) give up with TASK_CANCELLED, and the task ends ``cancelled``; the
others finish as if nothing had been asked, as XAPI's uncancellable operations do.
"""
import dataclasses
import datetime
import logging
import threading
import xmlrpc.client

from godwit.virt.xenapi.simulator import errors

LOG = logging.getLogger(__name__)
CANCELLED = "TASK_CANCELLED"


class Cancellations:
    """The cancel requests of one simulator's calls in progress, by task reference (or by a
    key of its own for a call made without a task)."""

    def __init__(self):
        self._events = {}
        self._lock = threading.Lock()

    def register(self, key):
        event = threading.Event()
        with self._lock:
            self._events[key] = event
        return event

    def forget(self, key):
        with self._lock:
            self._events.pop(key, None)

    def cancel(self, key):
        with self._lock:
            event = self._events.get(key)
        if event:
            event.set()

    def cancel_all(self):
        """On stop: nothing waits any longer."""
        with self._lock:
            events = list(self._events.values())
        for event in events:
            event.set()


def cancelled(task):
    return errors.XapiError(CANCELLED, task)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H:%M:%SZ")


def encode_result(value):
    """XAPI hands a task's result back as a string holding one XML-RPC ``<value>``."""
    if value is None:
        return ""
    params = xmlrpc.client.dumps((value,), allow_none=True)
    return params[params.index("<value>"):params.rindex("</value>") + len("</value>")]


def start(call, method, handler, args):
    """Creates the task of ``method`` and returns its reference; the handler runs later."""
    with call.store.lock:
        task = call.store.create("task", name_label=method, created=_now(),
                                 resident_on=call.host())
        call.store.save()
    call = dataclasses.replace(call, task=task, cancelled=call.cancellations.register(task))
    threading.Thread(target=_run, args=(call, task, handler, args), name=f"xapi {method}",
                     daemon=True).start()
    return task


def _run(call, task, handler, args):
    try:
        with call.store.lock_for(handler):
            outcome = {"status": "success", "result": encode_result(handler(call, *args))}
    except errors.XapiError as err:
        status = "cancelled" if err.description[0] == CANCELLED else "failure"
        outcome = {"status": status, "error_info": err.description}
    except Exception as err:  # noqa: BLE001 - the task reports it, as XAPI does
        LOG.exception("Task %s failed", task)
        outcome = {"status": "failure", "error_info": ["INTERNAL_ERROR", str(err)]}
    call.cancellations.forget(task)
    with call.store.lock:
        if call.store.exists("task", task):  # the client may have destroyed it meanwhile
            call.store.update("task", task, progress=1.0, finished=_now(), **outcome)
            call.store.save()


def cancel_unfinished(store):
    """Tasks that were pending when the simulator stopped will never finish: say so."""
    for task in store.find("task", status="pending"):
        store.update("task", task, status="cancelled", finished=_now(),
                     error_info=["TASK_CANCELLED", task])


def destroy(call, task):
    call.store.delete("task", task)


def cancel(call, task):
    if call.store.get("task", task)["status"] != "pending":
        raise errors.XapiError("OPERATION_NOT_ALLOWED", f"task {task} is not pending")
    call.cancellations.cancel(task)


def methods():
    return {"task.destroy": destroy, "task.cancel": cancel}
