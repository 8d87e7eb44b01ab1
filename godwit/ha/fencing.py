"""Fencing a dead host, then recovering its instances: the leader's one fence.

Order matters: the host's disk leases are broken, and its instances restarted elsewhere,
only after its BMC confirmed the chassis off. A failed fence recovers nothing unless
``[ha] recover_without_fence`` says otherwise. The host ends ``fenced`` and stays so until
an admin unfences it (``POST /admin/v1/hosts/{id}/unfence``).

A fence is a recorded operation (``godwit.ha.host_fences``): the confirmed power-off is
written down with the host's ``fenced`` state, so a leader that dies mid-way leaves a row
the next leader carries on from: it fences again if the power-off was not confirmed, else
recovers (every step may run twice).
"""
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db.session import writer
from godwit.ha import events, host_fences, ipmi, leases, recovery

FENCED = "fenced"


def fence_and_recover(host_name, rpcapi, owner, bmc_factory=ipmi.BMC):
    """Carries on the host's fence, which ``owner`` has claimed, from the step it reached.

    True once its instances were sent elsewhere; False when the fence failed (nothing was
    recovered) or another monitor took the fence over."""
    record = host_fences.get(host_name)
    if record is None or record.owner != owner:
        return False
    if record.status == host_fences.FENCING and not _power_off(host_name, owner, bmc_factory):
        return False
    broken = leases.break_host(host_name)
    events.record(host_name, events.LEASES_BROKEN, f"{broken} disk lease(s)")
    recovery.recover_host(host_name, rpcapi)
    host_fences.finish(host_name, owner)
    return True


def _power_off(host_name, owner, bmc_factory):
    """Fences the host through its BMC; True once it is recorded ``fenced``."""
    host = db.host_get(host_name)
    events.record(host_name, events.FENCE_START, f"BMC {host.ipmi_address or '(none)'}")
    try:
        _fence(host, bmc_factory)
    except ipmi.FenceFailed as err:
        events.record(host_name, events.FENCE_FAILED, str(err))
        if not CONF.ha.recover_without_fence:
            return False
    else:
        events.record(host_name, events.FENCE_OK, "the BMC confirmed the chassis off")
    with writer() as session:
        if not host_fences.confirm(session, host_name, owner):
            return False
        mark_fenced(host_name, session)
    return True


def _fence(host, bmc_factory):
    if not host.ipmi_address:
        raise ipmi.FenceFailed(host=host.name, step="configuration",
                               reason="no BMC address is recorded for the host (set [ha] "
                                      "ipmi_address in its compute worker's config)")
    bmc_factory(host.name, host.ipmi_address, host.ipmi_username or "",
                host.ipmi_password or "").fence()


def mark_fenced(host_name, session=None):
    db.host_update(host_name, {"maintenance_state": FENCED}, session=session)


def unfence(host_name):
    """An admin's word that the host is healthy again: back to ``ready``. Its instances
    that were not recovered are still there, stopped."""
    return db.host_update(host_name, {"maintenance_state": "ready"},
                          expected={"maintenance_state": FENCED})
