"""Starting a XAPI simulator and logging in to it with the real XenAPI client."""
import contextlib
import time
import xmlrpc.client

import pytest
import XenAPI

from godwit.virt.xenapi.simulator import Simulator

USER, PASSWORD = "root", "secret"


def start_simulator(state_dir, port=0, **options):
    return Simulator(str(state_dir), port, username=USER, password=PASSWORD,
                     **options).start()


def login(url):
    session = XenAPI.Session(url)
    session.login_with_password(USER, PASSWORD, "2.21", "godwit-tests")
    return session


@contextlib.contextmanager
def crash_at(driver, method):
    """The worker of ``driver`` dies when it makes its next ``method`` call: the block must
    raise ConnectionResetError there; the driver's calls work again after it."""
    call = driver.xen.call

    def crashing(name, *args):
        if name == method:
            raise ConnectionResetError("the worker died here")
        return call(name, *args)
    driver.xen.call = crashing
    try:
        with pytest.raises(ConnectionResetError):
            yield
    finally:
        driver.xen.call = call


def failure(call, *args):
    """The error description of a call that must fail."""
    with pytest.raises(XenAPI.Failure) as caught:
        call(*args)
    return caught.value.details


def new_vm(xenapi, name="vm1"):
    """A halted VM cloned from the cirros template."""
    template = xenapi.VM.get_by_name_label("cirros-0.6.2")[0]
    vm = xenapi.VM.clone(template, name)
    xenapi.VM.set_is_a_template(vm, False)
    return vm


def disk_of(xenapi, vm):
    """The VDI of the VM's userdevice-0 VBD."""
    vbds = [xenapi.VBD.get_record(vbd) for vbd in xenapi.VM.get_VBDs(vm)]
    return next(vbd["VDI"] for vbd in vbds if vbd["userdevice"] == "0")


def wait_for(xenapi, task, timeout=5):
    """The task's record once it is no longer pending."""
    deadline = time.monotonic() + timeout
    while xenapi.task.get_status(task) == "pending":
        assert time.monotonic() < deadline, "task still pending"
        time.sleep(0.01)
    return xenapi.task.get_record(task)


def task_result(record):
    """The value a successful task's ``result`` string holds."""
    return xmlrpc.client.loads(f"<params><param>{record['result']}</param></params>")[0][0]
