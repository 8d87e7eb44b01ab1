"""Compute API microversions: negotiation, and what each advertised version changes.

Clients ask with ``OpenStack-API-Version: compute 2.N`` (or the legacy
``X-OpenStack-Nova-API-Version: 2.N``; the new header wins when both name compute);
``latest`` means ``MAX_VERSION``; no header means 2.1. A version outside
[``MIN_VERSION``, ``MAX_VERSION``] is a 406, a malformed one a 400. Every response says
which version answered, in both headers, with ``Vary`` naming them.

godwit advertises 2.74 because every documented change up to 2.74 that touches the
resources it serves (servers, flavors, hypervisors, services, availability zones, limits,
aggregates, migrations) is implemented; the changes to resources godwit does not have
(keypairs, volumes, server groups, consoles, live migration, ...) change nothing here.
Implemented:

- 2.3   servers: more ``OS-EXT-SRV-ATTR:*`` attributes (reservation_id, launch_index,
        hostname, kernel_id, ramdisk_id, root_device_name, user_data) for admins.
- 2.5   servers: ``ip6`` list filter for everyone (no server has addresses: matches none).
- 2.9   servers: ``locked``.
- 2.11  os-services: ``forced_down`` in views and ``PUT /os-services/force-down``.
- 2.16  servers: ``host_status`` (UP, DOWN, MAINTENANCE, UNKNOWN, "") for admins.
- 2.19  servers: ``description`` in create and views.
- 2.23  os-migrations: ``migration_type`` (and ``links``, which Nova gives only in-progress
        live migrations: godwit has none, so never). ``GET /servers/{id}/migrations[/{id}]``
        lists a server's migrations that have not ended; Nova lists only live migrations
        there, godwit every kind it has (resize, cold migration).
- 2.24  ``DELETE /servers/{id}/migrations/{id}`` cancels a migration that has not reached
        post-migrating (later: 409).
- 2.26  servers: ``tags`` in views (always []) and the tags/not-tags list filters.
- 2.28  hypervisors: ``cpu_info`` is an object rather than a JSON string.
- 2.33  hypervisors: ``limit``/``marker`` paging.
- 2.36  limits: the network quotas (security groups, floating IPs) are gone.
- 2.37  servers: ``networks`` is required on create: "none", "auto" or a list. godwit
        attaches no networks, so a list of specific networks is a 400.
- 2.38  servers: an unknown ``status`` filter is a 400 rather than an empty list.
- 2.39  limits: ``maxImageMeta`` is gone.
- 2.41  aggregates: ``uuid``.
- 2.47  servers: the flavor is embedded (sizes, original_name, extra_specs).
- 2.52  servers: ``tags`` accepted on create. godwit stores no server tags, so only an
        empty list is accepted; a non-empty one is a 400 saying so.
- 2.53  os-services and os-hypervisors: ids are UUIDs; ``PUT /os-services/{id}`` replaces
        the enable/disable/force-down actions; hypervisors take
        ``hypervisor_hostname_pattern`` and ``with_servers`` and drop ``/search`` and
        ``/servers``.
- 2.55  flavors: ``description`` in create, views, and ``PUT /flavors/{id}``.
- 2.56  servers: ``migrate`` may name the destination ``host`` (its own admin rule); before
        2.56 a host is a 400.
- 2.57  limits: ``maxPersonality`` and ``maxPersonalitySize`` are gone (godwit never
        accepted personality files).
- 2.59  os-migrations and server migrations: ``uuid``; os-migrations pages with ``limit``
        and ``marker`` (a uuid; ``migrations_links`` while a page is full), filters by
        ``changes-since``, and refuses unknown query parameters (400).
- 2.61  flavors: ``extra_specs`` in flavor views (show, detail, create, update) for callers
        allowed to read extra specs.
- 2.63  servers: ``trusted_image_certificates`` on create, and in views (always null).
        godwit cannot verify image certificates, so only null or none is accepted; a
        non-empty list is a 400 saying so.
- 2.66  servers and os-migrations: the ``changes-before`` filter (with ``changes-since``,
        a window that ends before it starts is a 400).
- 2.67  servers: ``volume_type`` in ``block_device_mapping_v2``; still a 400, as volumes
        are.
- 2.71  servers: ``server_groups`` in a server's show (always []: no server groups).
- 2.73  servers: ``locked_reason`` in views (always null: godwit takes no lock reason) and
        the ``locked`` list filter (true/false), for everyone.
- 2.74  servers: create may name the ``host`` and/or ``hypervisor_hostname`` (in godwit
        both name the host; if both are given they must agree) under their own rule,
        ``compute:servers:create:requested_destination`` (admins): the scheduler considers
        only that host, every filter still applies, and a host that cannot take the
        server fails the request with a 400 saying why (doc/placement.md). Before 2.74
        these fields are a 400.

Nothing changes at 2.62 (instance action events), 2.64 (server groups), 2.65 (aborting
live migrations), 2.68 (forced evacuate and live migration), 2.69 (partial results from
down cells), 2.70 (device tags of interfaces and volumes) and 2.72 (ports with resource
requests): those touch resources godwit does not serve.

Also served, unchanged by any version above: os-start, os-stop, reboot, suspend, resume,
resize (202; the ``OS-DCF:diskConfig`` it may carry is ignored), confirmResize (204),
revertResize, migrate (202, admin), ``GET /os-migrations`` (admin), delete, the
availability zone lists, flavor extra specs (read), hypervisor statistics and uptime (501:
the drivers do not report uptime), and ``GET /os-aggregates`` (clusters, read-only).

Not served at any version (404/405, or "There is no such action" for actions): server
update and rebuild (so what 2.19, 2.63, 2.71 and 2.73 add to them does not apply), the
other server actions (lock among them, so 2.73's ``locked_reason`` cannot be set),
keypairs, volumes, server groups, consoles, and writes to extra specs and aggregates. Bodies
take integers where Nova also accepts digit strings (counts, flavor sizes).
"""
import functools
import re

import webob.dec

from godwit import exception
from godwit.api import wsgi

SERVICE_TYPE = "compute"
HEADER = "OpenStack-API-Version"
LEGACY_HEADER = "X-OpenStack-Nova-API-Version"
VARY = f"{HEADER}, {LEGACY_HEADER}"

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 74)

_VERSION = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


class MalformedVersion(exception.Invalid):
    msg_fmt = ("API Version String %(version)s is of invalid format. Must be of format "
               "MajorNum.MinorNum.")


class VersionNotAcceptable(exception.GodwitException):
    code = 406
    msg_fmt = ("Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s and "
               "maximum is %(max_ver)s.")


def to_string(version):
    return f"{version[0]}.{version[1]}"


def parse(text):
    """``"2.53"`` -> ``(2, 53)``; MalformedVersion for anything else."""
    match = _VERSION.match(text.strip())
    if not match:
        raise MalformedVersion(version=text)
    return int(match.group(1)), int(match.group(2))


def requested(headers):
    """The version string the client asked for, or None (microversion-parse's rules)."""
    for item in (headers.get(HEADER) or "").split(","):
        service, _, version = item.strip().partition(" ")
        if service.lower() == SERVICE_TYPE and version.strip():
            return version.strip()
    legacy = headers.get(LEGACY_HEADER)
    return legacy.strip() if legacy else None


def negotiate(text):
    """The (major, minor) to serve for a requested version string (None: the minimum)."""
    if text is None:
        return MIN_VERSION
    if text.lower() == "latest":
        return MAX_VERSION
    version = parse(text)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionNotAcceptable(req_ver=to_string(version), min_ver=to_string(MIN_VERSION),
                                   max_ver=to_string(MAX_VERSION))
    return version


def is_supported(req, min_version=None, max_version=None):
    """Whether the request's version lies in [min_version, max_version] ("2.N" strings)."""
    version = req.api_version
    if min_version and version < parse(min_version):
        return False
    return not (max_version and version > parse(max_version))


def versioned(min_version=None, max_version=None):
    """Controller methods that exist only in a version range: elsewhere they are a 404."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, req, **kwargs):
            if not is_supported(req, min_version, max_version):
                raise exception.NotFound("The resource could not be found.")
            return func(self, req, **kwargs)
        wrapper.version_range = (min_version, max_version)
        return wrapper
    return decorator


class MicroversionMiddleware:
    """Negotiates the version, stores it in ``environ[VERSION_KEY]``, and echoes it."""

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        try:
            version = negotiate(requested(req.headers))
        except exception.GodwitException as exc:
            resp = wsgi.render_exception(exc)
            resp.headers["Vary"] = VARY
            return resp
        req.environ[wsgi.VERSION_KEY] = version
        resp = req.get_response(self.app)
        resp.headers[HEADER] = f"{SERVICE_TYPE} {to_string(version)}"
        resp.headers[LEGACY_HEADER] = to_string(version)
        resp.headers["Vary"] = VARY
        return resp
