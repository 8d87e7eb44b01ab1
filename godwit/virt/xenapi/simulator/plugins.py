"""``host.call_plugin`` as XAPI does it: the plugin is a file run as a process of its own.

XAPI runs ``/etc/xapi.d/plugins/<plugin>`` with one argument, the XML-RPC encoding of
``(session_ref, args)`` with the plugin function as the method name; the plugin's
``XenAPIPlugin.dispatch`` calls the function and prints an XML-RPC method response holding
``{'Status': 'Success', 'Value': <string>}`` or ``{'Status': 'Failure', 'ErrorDescription':
[...]}``. The simulator does the same with the plugin files of its plugin directories, run
by ``sys.executable`` with godwit's ``XenAPIPlugin`` shim (``shim/``) first on
``PYTHONPATH``. The shim's session is a ``XenAPI.Session`` to this simulator (its URL is in
``GODWIT_XAPI_URL``) holding the caller's session reference, as dom0's is
``XenAPI.xapi_local()`` holding the reference XAPI passes.

The rest of a plugin's environment is dom0's too, in miniature: ``vhd-util`` (godwit's
subset, ``shim/bin``) is first on ``PATH``, followed by the directory of
``sys.executable`` so that its ``python3`` is the simulator's; ``GODWIT_SR_MOUNT`` names
the directory holding the SR directories (``<state_dir>/sr``), which plugins use instead of
dom0's ``/var/run/sr-mount``. ``GODWIT_FIREWALL_SIMULATED=1`` tells the firewall plugin
never to run iptables (tests run as root), and ``GODWIT_FIREWALL_DIR`` where it records
the rulesets of the host the plugin was called on (``firewall_dir``).

Locking: a plugin calls back into XAPI from another server thread, so ``call_plugin`` is
marked ``without_store_lock``: the dispatcher and ``Async.`` tasks run it without the store
lock, and it takes the lock itself only for what it reads.
"""
import dataclasses
import os
import stat
import subprocess
import sys
import xmlrpc.client

from godwit.virt.xenapi.simulator import errors

_HERE = os.path.dirname(os.path.abspath(__file__))
SHIM_DIR = os.path.join(_HERE, "shim")
SHIM_BIN_DIR = os.path.join(SHIM_DIR, "bin")
# The repository's dom0 plugins (``plugins/xenserver/xapi.d/plugins`` beside ``godwit/``).
DEFAULT_PLUGIN_DIRS = (os.path.normpath(os.path.join(
    _HERE, os.pardir, os.pardir, os.pardir, os.pardir, "plugins", "xenserver", "xapi.d",
    "plugins")),)
URL_VARIABLE = "GODWIT_XAPI_URL"
SR_MOUNT_VARIABLE = "GODWIT_SR_MOUNT"
SR_DIRECTORY = "sr"  # under the state directory, as bootstrap makes them
# The firewall plugin only records rulesets (never runs iptables) under the simulator, in
# <state_dir>/firewall/<host name_label>/.
FIREWALL_SIMULATED_VARIABLE = "GODWIT_FIREWALL_SIMULATED"
FIREWALL_DIR_VARIABLE = "GODWIT_FIREWALL_DIR"
FIREWALL_DIRECTORY = "firewall"


@dataclasses.dataclass(frozen=True)
class Runner:
    """Where a simulator finds plugins (the first directory holding one wins), the URL
    their sessions call back to, and the simulator's state directory."""
    url: str
    plugin_dirs: tuple = DEFAULT_PLUGIN_DIRS
    state_dir: str = ""


def _find(plugin_dirs, plugin):
    """The plugin's file; a name that is not a plain file name is never a plugin."""
    if plugin and os.path.basename(plugin) == plugin and not plugin.startswith("."):
        for directory in plugin_dirs:
            path = os.path.join(directory, plugin)
            if os.path.isfile(path):
                return path
    raise errors.XapiError("XENAPI_MISSING_PLUGIN", plugin)


def _check_args(args):
    if not isinstance(args, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in args.items()):
        raise errors.XapiError("FIELD_TYPE_ERROR", "args")


def _make_executable(directory):
    """Package data may be installed without its mode bits."""
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        mode = os.stat(path).st_mode
        if not mode & stat.S_IXUSR:
            os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _environment(runner):
    _make_executable(SHIM_BIN_DIR)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        path for path in (SHIM_DIR, env.get("PYTHONPATH")) if path)
    env["PATH"] = os.pathsep.join(
        path for path in (SHIM_BIN_DIR, os.path.dirname(sys.executable), env.get("PATH"))
        if path)
    env[URL_VARIABLE] = runner.url
    env[SR_MOUNT_VARIABLE] = os.path.join(os.path.abspath(runner.state_dir), SR_DIRECTORY)
    return env


def _result(plugin, fn, completed):
    """The plugin's string result, or its failure as a XapiError."""
    output = completed.stdout.decode(errors="replace")
    if completed.returncode:
        raise errors.XapiError("XENAPI_PLUGIN_FAILURE", "non-zero exit", output,
                               completed.stderr.decode(errors="replace"))
    try:
        (reply,), _ = xmlrpc.client.loads(output)
        if reply["Status"] == "Success" and isinstance(reply["Value"], str):
            return reply["Value"]
        if reply["Status"] == "Failure":
            raise errors.XapiError(*reply["ErrorDescription"])
    except (xmlrpc.client.ResponseError, ValueError, TypeError, KeyError):
        pass
    raise errors.XapiError("XENAPI_PLUGIN_FAILURE", "failed to parse plugin output", output,
                           f"{plugin}.{fn}")


def firewall_dir(state_dir, host_name):
    """Where the ``godwit_firewall`` plugin records the rulesets applied on a host."""
    return os.path.join(os.path.abspath(state_dir), FIREWALL_DIRECTORY, host_name)


def call_plugin(call, host, plugin, fn, args):
    with call.store.lock:
        host_name = call.store.get("host", host)["name_label"]  # HANDLE_INVALID if unknown
    _check_args(args)
    path = _find(call.plugins.plugin_dirs, plugin)
    argument = xmlrpc.client.dumps((call.session, args), methodname=fn)
    env = dict(_environment(call.plugins), **{
        FIREWALL_SIMULATED_VARIABLE: "1",
        FIREWALL_DIR_VARIABLE: firewall_dir(call.plugins.state_dir, host_name)})
    completed = subprocess.run([sys.executable, path, argument], capture_output=True,
                               env=env, check=False)
    return _result(plugin, fn, completed)


call_plugin.without_store_lock = True


def methods():
    return {"host.call_plugin": call_plugin}
