"""``Async.<Class>.<method>`` calls: each runs in a thread of its own behind a task record."""
import datetime
import logging
import threading
import xmlrpc.client

from godwit.virt.xenapi.simulator import errors

LOG = logging.getLogger(__name__)


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
    threading.Thread(target=_run, args=(call, task, handler, args), name=f"xapi {method}",
                     daemon=True).start()
    return task


def _run(call, task, handler, args):
    try:
        with call.store.lock_for(handler):
            outcome = {"status": "success", "result": encode_result(handler(call, *args))}
    except errors.XapiError as err:
        outcome = {"status": "failure", "error_info": err.description}
    except Exception as err:  # noqa: BLE001 - the task reports it, as XAPI does
        LOG.exception("Task %s failed", task)
        outcome = {"status": "failure", "error_info": ["INTERNAL_ERROR", str(err)]}
    with call.store.lock:
        call.store.update("task", task, progress=1.0, finished=_now(), **outcome)
        call.store.save()


def cancel_unfinished(store):
    """Tasks that were pending when the simulator stopped will never finish: say so."""
    for task in store.find("task", status="pending"):
        store.update("task", task, status="cancelled", finished=_now(),
                     error_info=["TASK_CANCELLED", task])


def destroy(call, task):
    call.store.delete("task", task)


def methods():
    return {"task.destroy": destroy}
