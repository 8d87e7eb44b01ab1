"""godwit's stand-in for dom0's ``XenAPIPlugin`` module, used by the XAPI simulator.

It behaves as XAPI's own (xen-api ``scripts/examples/python/XenAPIPlugin.py``): ``dispatch``
decodes ``sys.argv[1]`` (the XML-RPC encoding of ``(session_ref, args)``, the method name
being the function), calls ``fn(session, args)`` and prints the XML-RPC response. The one
difference: the session is a ``XenAPI.Session`` to the simulator named by
``GODWIT_XAPI_URL`` rather than ``XenAPI.xapi_local()`` (used when that is unset).
"""
import os
import sys
import xmlrpc.client

import XenAPI

URL_VARIABLE = "GODWIT_XAPI_URL"


class Failure(Exception):
    """A failure with a XAPI-style error code and its parameters, as on dom0."""

    def __init__(self, code, params):
        Exception.__init__(self)
        self.params = [code] + params

    def __str__(self):
        return str(self.params)


def success_message(result):
    return xmlrpc.client.dumps(({"Status": "Success", "Value": result},), "", True)


def failure_message(description):
    return xmlrpc.client.dumps(({"Status": "Failure", "ErrorDescription": description},),
                               "", True)


def _session():
    url = os.environ.get(URL_VARIABLE)
    return XenAPI.Session(url) if url else XenAPI.xapi_local()


def dispatch(fn_table):
    if len(sys.argv) != 2:
        raise Exception("Incorrect number of commandline arguments")
    params, methodname = xmlrpc.client.loads(sys.argv[1])
    session_id, args = params[0], params[1]
    if methodname not in fn_table:
        print(failure_message(["UNKNOWN_XENAPI_PLUGIN_FUNCTION", methodname]))
        return
    session = _session()
    session._session = session_id
    try:
        result = fn_table[methodname](session, args)
        print(success_message(result))
    except SystemExit:
        raise
    except Failure as failure:
        print(failure_message(failure.params))
    except Exception as exn:  # noqa: BLE001 - reported as XAPI does
        print(failure_message(["XENAPI_PLUGIN_FAILURE", methodname, exn.__class__.__name__,
                               str(exn)]))
