"""Security group rules on the hypervisor host an instance runs on ("implement").

The database keeps every rule; a host's backend holds the rules of exactly the instances
running on it, and only where the host's hypervisor capability ``security_group_enabled``
is true. ``sync`` makes the backend agree with the database for one instance and is
called after every operation that starts, stops or moves an instance (its state is then
in the database), and on ``refresh_firewall``; ``refresh_host`` does it for the whole
host from the periodic reconciler (and at start), so a lost cast, a failed backend call or
a move this worker took no part in (the destination of a live migration) is only delayed.
Backend failures are logged, never raised: the operation that triggered them succeeded.
"""
from oslo_log import log as logging

from godwit import exception
from godwit.compute import capabilities, states
from godwit.db import api as db
from godwit.db import security_groups as groups_db
from godwit.virt.driver import InstanceRef

LOG = logging.getLogger(__name__)


def enabled(host):
    """Whether the capability of ``host``'s hypervisor says security groups are enforced."""
    try:
        row = db.host_get(host)
    except exception.HostNotFound:
        return False
    applied = capabilities.lookup(row.hypervisor_type, row.hypervisor_version)
    return bool(applied.limit("security_group_enabled"))


def rules_for(instance):
    """The rules the instance is subject to, as the plain dicts the drivers receive."""
    groups = groups_db.instance_groups([instance.id])[instance.id]
    by_group = groups_db.rules_with_sources([group.id for group in groups])
    return [{"id": rule.uuid, "direction": rule.direction, "ethertype": rule.ethertype,
             "protocol": rule.protocol, "port_range_min": rule.port_range_min,
             "port_range_max": rule.port_range_max,
             "remote_ip_prefix": rule.remote_ip_prefix,
             "remote_group": remote.uuid if remote else None}
            for group in groups for rule, remote in by_group[group.id]]


def _runs_here(driver, instance):
    return instance.host == driver.host and instance.power_state == states.RUNNING


def wanted(driver, instance, host_enabled):
    """The rules ``driver``'s host should hold for ``instance`` (None: nothing)."""
    if not host_enabled or not _runs_here(driver, instance):
        return None
    return rules_for(instance)


def sync(driver, instance_uuid):
    """Applies the instance's rules on this host if it runs here, else removes them."""
    try:
        instance = db.instance_get(instance_uuid)
    except exception.InstanceNotFound:
        _set(driver, InstanceRef(instance_uuid), None)
        return
    sync_row(driver, instance)


def sync_row(driver, instance):
    """``sync`` for the instance's row as its caller has just committed it."""
    # The host's capability is read only when the answer matters.
    host_enabled = _runs_here(driver, instance) and enabled(driver.host)
    _set(driver, instance, wanted(driver, instance, host_enabled))


def _set(driver, instance, rules):
    try:
        if rules is None:
            driver.remove_firewall(instance)
        else:
            driver.apply_firewall(instance, rules)
    except Exception:  # noqa: BLE001 - retried by the next reconcile pass
        LOG.exception("Could not %s the security group rules of instance %s on host %s",
                      "remove" if rules is None else "apply", instance.uuid, driver.host)


def refresh_host(manager):
    """Periodic: every instance's rules as the database says, changing only what differs."""
    driver = manager.driver
    try:
        applied = driver.list_firewalls()
    except Exception as err:  # noqa: BLE001 - the hypervisor is unreachable: try next time
        LOG.warning("Could not list the firewall rulesets of host %s: %s", driver.host, err)
        return
    host_enabled = enabled(driver.host)
    live = {instance.uuid: instance
            for instance in db.instance_list(filters={"host": driver.host})}
    for uuid in set(live) | set(applied):
        instance = live.get(uuid) or InstanceRef(uuid)
        rules = wanted(driver, instance, host_enabled) if uuid in live else None
        if rules != applied.get(uuid):
            manager.try_with_instance_lock(uuid, _set, driver, instance, rules)
