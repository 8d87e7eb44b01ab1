"""What a server list may be filtered by, as Nova allows it, and how each filter applies.

Filters the database query supports go to the compute API; the others are predicates on the
rows it returns (``name`` is a case-sensitive substring match, where Nova takes a regular
expression). Filters only admins may use are ignored for everyone else, as in Nova. godwit
attaches no addresses or tags and lists no deleted servers, so ``ip``/``ip6``, ``tags``/
``tags-any`` and ``deleted=true`` match nothing. ``changes-before`` (2.66) and ``locked``
(2.73) are for everyone.
"""
import dataclasses
import urllib.parse

from godwit import exception, policy
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.compute import states

# Nova's statuses; before 2.38 an unknown one lists nothing, from 2.38 on it is a 400.
KNOWN_STATUSES = frozenset((
    "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD", "PAUSED",
    "REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED",
    "SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE"))


@dataclasses.dataclass
class ServerFilters:
    all_projects: bool = False
    db_filters: dict = dataclasses.field(default_factory=dict)
    predicates: list = dataclasses.field(default_factory=list)
    matches_nothing: bool = False

    def keep(self, instance):
        return all(predicate(instance) for predicate in self.predicates)


def id_from_href(value):
    """``http://.../flavors/3`` -> ``3``; a bare id is returned as it is."""
    return urllib.parse.urlparse(str(value)).path.rstrip("/").rpartition("/")[2] or str(value)


def all_tenants(params):
    """Nova's rule: present with an empty value means yes; otherwise a strict boolean."""
    if "all_tenants" not in params:
        return False
    value = params["all_tenants"]
    return value == "" or common.parse_bool(value, "all_tenants")


def parse(req):
    """The filters of a ``GET /servers[/detail]`` request."""
    params = req.GET
    filters = ServerFilters(all_projects=all_tenants(params))
    _user_filters(req, params, filters)
    if policy.check(req.context, "os_compute_api:servers:allow_all_filters"):
        _admin_filters(params, filters)
    return filters


def _user_filters(req, params, filters):
    if params.get("name"):
        name = params["name"]
        filters.predicates.append(lambda instance: name in (instance.display_name or ""))
    statuses = [value for value in params.getall("status") if value]
    if statuses:
        _status(req, statuses, filters)
    if params.get("image"):
        filters.db_filters["image_ref"] = id_from_href(params["image"])
    if params.get("flavor"):
        filters.db_filters["flavorid"] = id_from_href(params["flavor"])
    if params.get("reservation_id"):
        reservation = params["reservation_id"]
        filters.predicates.append(lambda instance: instance.reservation_id == reservation)
    since, before = changes_window(req)
    if since:
        filters.predicates.append(lambda instance: _changed_at(instance) >= since)
    if before:
        filters.predicates.append(lambda instance: _changed_at(instance) <= before)
    if mv.is_supported(req, "2.73") and params.get("locked"):
        locked = common.parse_bool(params["locked"], "locked")
        filters.predicates.append(lambda instance: bool(instance.locked) == locked)
    if params.get("ip") or (params.get("ip6") and mv.is_supported(req, "2.5")):
        filters.matches_nothing = True
    if mv.is_supported(req, "2.26") and (params.get("tags") or params.get("tags-any")):
        filters.matches_nothing = True


def changes_window(req):
    """(``changes-since``, ``changes-before`` from 2.66) as naive UTC times, or None each.

    A window that ends before it starts is a 400, as in Nova."""
    since = req.GET.get("changes-since")
    before = req.GET.get("changes-before") if mv.is_supported(req, "2.66") else None
    since = common.parse_timestamp(since, "changes-since") if since else None
    before = common.parse_timestamp(before, "changes-before") if before else None
    if since and before and since > before:
        raise exception.Invalid("The value of changes-since must be less than or equal to "
                                "changes-before.")
    return since, before


def _changed_at(instance):
    return instance.updated_at or instance.created_at


def _admin_filters(params, filters):
    for param, column in (("host", "host"), ("user_id", "user_id")):
        if params.get(param):
            filters.db_filters[column] = params[param]
    if params.getall("vm_state"):
        filters.db_filters["vm_states"] = params.getall("vm_state")
    project = params.get("project_id") or params.get("tenant_id")
    if project and filters.all_projects:
        filters.db_filters["project_id"] = project
    for param, attribute in (("node", "node"), ("key_name", "key_name"), ("uuid", "uuid")):
        if params.get(param):
            filters.predicates.append(_equals(attribute, params[param]))
    if "deleted" in params and common.parse_bool(params["deleted"], "deleted"):
        filters.matches_nothing = True
    if params.get("ip6"):
        filters.matches_nothing = True


def _equals(attribute, value):
    return lambda instance: getattr(instance, attribute) == value


def _status(req, values, filters):
    wanted = {value.upper() for value in values}
    unknown = wanted - KNOWN_STATUSES
    if unknown and mv.is_supported(req, "2.38"):
        raise exception.Invalid(f"Invalid status value: {', '.join(sorted(unknown))}")
    filters.predicates.append(
        lambda instance: states.status_of(instance.vm_state, instance.task_state) in wanted)
