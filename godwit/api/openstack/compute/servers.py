"""``/servers``: create, list, show and delete, through ``godwit.compute.api`` only."""
from godwit import exception, placement, policy
from godwit.api import validation
from godwit.api.openstack import common
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import server_filters, topology
from godwit.api.openstack.compute.schemas import servers as schemas
from godwit.api.openstack.compute.views.servers import ServerViews
from godwit.api.wsgi import response
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy

_QUOTA_PER_INSTANCE = ("instances", "cores", "ram")


def get_instance(compute_api, req, server_id, details=False):
    """The server if the caller may see it; anything else (bad id, other project) is a 404.

    ``details`` loads what the server's view shows (metadata, faults).
    """
    if not common.is_uuid(server_id):
        raise exception.InstanceNotFound(instance_id=server_id)
    return compute_api.get(req.context, server_id, details=details)


class ServersController:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    # --- reading -------------------------------------------------------------------------------

    def index(self, req):
        return self._list(req, "index", ServerViews(req).basic)

    def detail(self, req):
        return self._list(req, "detail", ServerViews(req).detail)

    def show(self, req, id):
        instance = get_instance(self.compute_api, req, id, details=True)
        policy.authorize(req.context, "os_compute_api:servers:show",
                         {"project_id": instance.project_id})
        return {"server": ServerViews(req).show(instance)}

    def _list(self, req, kind, view):
        policy.authorize(req.context, f"os_compute_api:servers:{kind}")
        filters = server_filters.parse(req)
        if filters.all_projects:
            policy.authorize(req.context, f"os_compute_api:servers:{kind}:get_all_tenants")
        limit, marker = common.limit_and_marker(req)
        try:
            instances = [] if filters.matches_nothing else self._fetch(req, filters, limit,
                                                                       marker)
        except exception.MarkerNotFound:
            raise exception.Invalid(f"marker [{marker}] not found") from None
        body = {"servers": [view(instance) for instance in instances]}
        links = common.next_links(req, instances, limit, lambda instance: instance.uuid)
        if links:
            body["servers_links"] = links
        return body

    def _fetch(self, req, filters, limit, marker):
        """Up to ``limit`` matching servers after ``marker``, newest first.

        Predicates drop rows after the query, so a short page is refilled from the rows
        after it until it is full or there are no more.
        """
        def fetch(count, after):
            return self.compute_api.list(req.context, filters.db_filters,
                                         all_projects=filters.all_projects, limit=count,
                                         marker=after)
        if not filters.predicates:
            return fetch(limit, marker)
        found = []
        while len(found) < limit:
            rows = fetch(CONF.api.max_limit, marker)
            found.extend(row for row in rows if filters.keep(row))
            if len(rows) < CONF.api.max_limit:
                break
            marker = rows[-1].uuid
        return found[:limit]

    # --- create --------------------------------------------------------------------------------

    @response(202)
    @validation.schema(schemas.CREATE_V274, "2.74")
    @validation.schema(schemas.CREATE_V267, "2.67", "2.73")
    @validation.schema(schemas.CREATE_V263, "2.63", "2.66")
    @validation.schema(schemas.CREATE_V252, "2.52", "2.62")
    @validation.schema(schemas.CREATE_V237, "2.37", "2.51")
    @validation.schema(schemas.CREATE_V219, "2.19", "2.36")
    @validation.schema(schemas.CREATE, "2.1", "2.18")
    def create(self, req, body):
        context = req.context
        policy.authorize(context, "os_compute_api:servers:create")
        server = body["server"]
        if server.get("tags"):
            raise exception.ValidationError(
                field="tags", reason="godwit does not store server tags; send none.")
        if server.get("trusted_image_certificates"):
            raise exception.ValidationError(
                field="trusted_image_certificates",
                reason="godwit cannot verify image signatures; send none.")
        if "godwit:node_limit" in (server.get("metadata") or {}):
            policy.authorize(context, "os_compute_api:servers:create:node_limit")
        host = requested_host(context, server)
        min_count = server.get("min_count", 1)
        max_count = server.get("max_count", min_count)
        if min_count > max_count:
            raise exception.ValidationError(field="min_count",
                                            reason="min_count must be <= max_count")
        _check_block_devices(server.get("block_device_mapping_v2", []), server["imageRef"])
        if server.get("availability_zone"):
            check_zone(context, server["availability_zone"])
        request = dict(
            name=server["name"], flavorid=server_filters.id_from_href(server["flavorRef"]),
            image_ref=server["imageRef"], networks=_networks(req, server.get("networks")),
            metadata=server.get("metadata") or {},
            description=(server.get("description") if mv.is_supported(req, "2.19")
                         else server["name"]),
            availability_zone=server.get("availability_zone"), key_name=server.get("key_name"),
            host=host, security_groups=[group["name"] for group in
                                        server.get("security_groups", [])])
        try:
            instances = self._create_within_quota(context, min_count, max_count, request)
        except (exception.FlavorNotFound, exception.ImageNotFound) as exc:
            raise exception.Invalid(exc.message) from None
        if common.parse_bool(server.get("return_reservation_id", False),
                             "return_reservation_id"):
            return {"reservation_id": instances[0].reservation_id}
        return {"server": ServerViews(req).create_response(instances[0])}

    def _create_within_quota(self, context, min_count, max_count, request):
        """Creates ``max_count`` servers, or as many as quota allows if that is ``min_count``
        or more (Nova's meaning of min_count)."""
        count = max_count
        while True:
            try:
                return self.compute_api.create(context, count=count, **request)
            except exception.QuotaExceeded as exc:
                fits = _count_that_fits(exc, count)
                if fits is None or not min_count <= fits < count:
                    raise
                count = fits

    # --- delete --------------------------------------------------------------------------------

    @response(204)
    def delete(self, req, id):
        instance = get_instance(self.compute_api, req, id)
        policy.authorize(req.context, "os_compute_api:servers:delete",
                         {"project_id": instance.project_id})
        self.compute_api.delete(req.context, instance.uuid)


def _networks(req, networks):
    """"none" or "auto": godwit attaches no networks, so specific ones are refused."""
    if isinstance(networks, str):
        return networks
    if not networks and not mv.is_supported(req, "2.37"):
        return "auto"
    raise exception.ValidationError(
        field="networks", reason='Requesting specific networks is not supported by godwit; '
                                 'use "none" or "auto".')


def _check_block_devices(mappings, image_ref):
    """Only "boot from imageRef on local disk" (what the clients send with an image) is
    supported; volumes (2.67: of any volume type), snapshots and blank disks are a 400."""
    for mapping in mappings:
        if (mapping.get("source_type") != "image" or mapping.get("uuid") != image_ref
                or mapping.get("destination_type", "local") != "local"
                or str(mapping.get("boot_index")) != "0" or mapping.get("volume_type")
                or len(mappings) != 1):
            raise exception.ValidationError(
                field="block_device_mapping_v2",
                reason="godwit boots servers from imageRef on local disk only; volumes, "
                       "snapshots and extra disks are not supported.")


def requested_host(context, server):
    """The host a 2.74 create names (``host``, ``hypervisor_hostname``: in godwit the same
    host, so both must agree), or None; naming one takes its own rule (admins)."""
    names = {server[field] for field in ("host", "hypervisor_hostname") if field in server}
    if not names:
        return None
    if not policy.check(context, "compute:servers:create:requested_destination"):
        raise exception.Forbidden("Permission denied")
    if len(names) > 1:
        raise exception.ValidationError(
            field="hypervisor_hostname",
            reason="host and hypervisor_hostname name the same host in godwit; they differ.")
    return names.pop()


def check_zone(context, zone):
    """The zone exists (a hierarchy zone, or the default zone of hosts in none), the caller
    may create in it (not Disabled, or an admin), and it has an enabled compute service.
    (A named host outside the zone is refused by the scheduler's AvailabilityZoneFilter.)"""
    available, unavailable = topology.zone_availability(db.service_list(),
                                                        hierarchy.host_zones())
    if zone not in hierarchy.zone_states() and zone not in available + unavailable:
        raise exception.ValidationError(
            field="availability_zone",
            reason=f"The requested availability zone {zone} does not exist.")
    placement.check_zone_open(context, zone)
    if zone not in available:
        raise exception.Invalid("The requested availability zone is not available")


def _count_that_fits(exc, count):
    """How many servers the quota that refused ``count`` of them would allow, if it scales."""
    if exc.kwargs.get("resource") not in _QUOTA_PER_INSTANCE:
        return None
    each = exc.kwargs["requested"] // count
    return (exc.kwargs["allowed"] - exc.kwargs["used"]) // each if each else None
