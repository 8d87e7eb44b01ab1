"""The OpenAPI 3.1 document of godwit's HTTP API, built from the routers themselves.

Every route of the version, compute, image and admin apps needs an entry in ``OPERATIONS``
(a summary and the key its success body carries); request schemas, success codes and
microversion ranges are read from the controllers, so they cannot drift. Identity routes are
listed as found in the identity app, with a generated summary, until it documents its own.
Admin API operations carry no microversions and their ids start with ``admin.``.

``godwit/api/openapi.json`` is this module's output; regenerate it with
``python -m godwit.api.openapi > godwit/api/openapi.json``. A test checks that the file, the
routers and ``OPERATIONS`` agree.
"""
import json
import re
import sys

from godwit.api import wsgi
from godwit.api.admin import router as admin_router
from godwit.api.image import router as image_router
from godwit.api.openstack import common, versions
from godwit.api.openstack import microversion as mv
from godwit.api.openstack.compute import router as compute_router

DOCUMENT_PATH = __file__[:-len(".py")] + ".json"

# (method, path) -> (summary, key of the success body: "name" an object, "name[]" a list,
# None no body or a body without one key)
OPERATIONS = {
    ("GET", "/"): ("List the compute API versions (only v2.1).", "versions[]"),
    ("GET", "/v2.1"): ("Show the v2.1 version and its microversion range.", "version"),
    ("GET", "/v2.1/"): ("Show the v2.1 version and its microversion range.", "version"),
    ("GET", "/v2.1/servers"): ("List servers (id, name, links).", "servers[]"),
    ("POST", "/v2.1/servers"): ("Create one or more servers.", None),
    ("GET", "/v2.1/servers/detail"): ("List servers with details.", "servers[]"),
    ("GET", "/v2.1/servers/{id}"): ("Show a server.", "server"),
    ("DELETE", "/v2.1/servers/{id}"): ("Delete a server.", None),
    ("POST", "/v2.1/servers/{id}/action"): (
        "Run an action on a server: os-start, os-stop, reboot, suspend, resume, resize, "
        "confirmResize (204), revertResize or migrate (admin).", None),
    ("GET", "/v2.1/servers/{server_id}/migrations"): (
        "List a server's migrations in progress (admin, 2.23).", "migrations[]"),
    ("GET", "/v2.1/servers/{server_id}/migrations/{migration_id}"): (
        "Show a server's migration in progress (admin, 2.23).", "migration"),
    ("DELETE", "/v2.1/servers/{server_id}/migrations/{migration_id}"): (
        "Abort a server's migration in progress (admin, 2.24).", None),
    ("GET", "/v2.1/os-migrations"): ("List migrations (admin).", "migrations[]"),
    ("GET", "/v2.1/flavors"): ("List flavors (id, name, links).", "flavors[]"),
    ("POST", "/v2.1/flavors"): ("Create a flavor (admin).", "flavor"),
    ("GET", "/v2.1/flavors/detail"): ("List flavors with details.", "flavors[]"),
    ("GET", "/v2.1/flavors/{id}"): ("Show a flavor.", "flavor"),
    ("PUT", "/v2.1/flavors/{id}"): ("Update a flavor's description (admin).", "flavor"),
    ("DELETE", "/v2.1/flavors/{id}"): ("Delete a flavor (admin).", None),
    ("GET", "/v2.1/flavors/{id}/os-extra_specs"): ("List a flavor's extra specs.",
                                                   "extra_specs"),
    ("GET", "/v2.1/flavors/{id}/os-extra_specs/{key}"): ("Show one extra spec.", None),
    ("GET", "/v2.1/os-hypervisors"): ("List hypervisors (admin).", "hypervisors[]"),
    ("GET", "/v2.1/os-hypervisors/detail"): ("List hypervisors with details (admin).",
                                             "hypervisors[]"),
    ("GET", "/v2.1/os-hypervisors/statistics"): ("Sum capacity and usage over hypervisors.",
                                                 "hypervisor_statistics"),
    ("GET", "/v2.1/os-hypervisors/{id}"): ("Show a hypervisor (admin).", "hypervisor"),
    ("GET", "/v2.1/os-hypervisors/{id}/uptime"): (
        "A hypervisor's uptime: always 501, the drivers do not report it.", None),
    ("GET", "/v2.1/os-hypervisors/{pattern}/search"): (
        "Find hypervisors whose name contains the pattern.", "hypervisors[]"),
    ("GET", "/v2.1/os-hypervisors/{pattern}/servers"): (
        "List the servers of hypervisors whose name contains the pattern.", "hypervisors[]"),
    ("GET", "/v2.1/os-services"): ("List services (admin).", "services[]"),
    ("PUT", "/v2.1/os-services/enable"): ("Enable a service by host and binary.", "service"),
    ("PUT", "/v2.1/os-services/disable"): ("Disable a service by host and binary.", "service"),
    ("PUT", "/v2.1/os-services/disable-log-reason"): (
        "Disable a service by host and binary, with a reason.", "service"),
    ("PUT", "/v2.1/os-services/force-down"): (
        "Force a service down (or up) by host and binary.", "service"),
    ("PUT", "/v2.1/os-services/{id}"): (
        "Enable, disable or force down a compute service.", "service"),
    ("GET", "/v2.1/os-availability-zone"): ("List availability zones.",
                                            "availabilityZoneInfo[]"),
    ("GET", "/v2.1/os-availability-zone/detail"): (
        "List availability zones with their hosts and services (admin).",
        "availabilityZoneInfo[]"),
    ("GET", "/v2.1/os-aggregates"): ("List host aggregates: godwit's clusters (admin).",
                                     "aggregates[]"),
    ("GET", "/v2.1/limits"): ("Show a project's absolute limits and usage.", "limits"),
    ("GET", "/image"): ("List the image API versions (300).", "versions[]"),
    ("GET", "/image/"): ("List the image API versions (300).", "versions[]"),
    ("GET", "/image/versions"): ("List the image API versions.", "versions[]"),
    ("GET", "/image/v2/images"): ("List the images the caller may see.", "images[]"),
    ("GET", "/image/v2/images/{image_id}"): ("Show an image.", None),
    ("GET", "/image/v2/schemas/image"): ("JSON Schema of an image.", None),
    ("GET", "/image/v2/schemas/images"): ("JSON Schema of an image list.", None),
    ("GET", "/admin/v1"): ("Show the admin API version.", "version"),
    ("GET", "/admin/v1/"): ("Show the admin API version.", "version"),
    ("POST", "/admin/v1/servers"): (
        "Create servers, optionally on a named host (host_id); 202 with their ids.",
        "servers[]"),
    ("POST", "/admin/v1/servers/{id}/resize"): (
        "Resize a server to another flavor, optionally onto a chosen host.", None),
    ("POST", "/admin/v1/servers/{id}/cold-migrate"): (
        "Cold migrate a server, optionally to a chosen host.", None),
    ("POST", "/admin/v1/servers/{id}/confirm-resize"): (
        "Confirm a server's resize or cold migration.", None),
    ("POST", "/admin/v1/servers/{id}/revert-resize"): (
        "Revert a server's resize or cold migration.", None),
    ("GET", "/admin/v1/servers/{id}/migrations"): (
        "List every migration of a server, newest first.", "migrations[]"),
    ("GET", "/admin/v1/servers/{id}/migration-hosts"): (
        "The other hosts of a server's cluster (paged, count is the total), and "
        "suitable_host_ids: those that could take it now by live migration.", "hosts[]"),
    ("POST", "/admin/v1/servers/{id}/migrate"): (
        "Live-migrate a server to another host of its cluster (shared storage, XenServer); "
        "202 with the migration.", "migration"),
    ("POST", "/admin/v1/vms"): (
        "Create VMs from a definition (as POST /admin/v1/servers, plus node_limit, "
        "node_selector, autostart, migration_method); 202 with their ids.", "vms[]"),
    ("GET", "/admin/v1/vms/{id}"): (
        "Show a VM with its placement metadata and previous_host.", "vm"),
    ("POST", "/admin/v1/vms/{id}/meta"): (
        "Change the placement fields given of a VM, leaving the others alone.", "vm"),
    ("GET", "/admin/v1/migrations"): (
        "List migrations, newest first; next is the following page's URL or null.",
        "migrations[]"),
    ("GET", "/admin/v1/migrations/{id}"): ("Show a migration (by uuid or id).", "migration"),
    ("POST", "/admin/v1/migrations/{id}/cancel"): (
        "Cancel a migration that has not reached post-migrating.", None),
    ("GET", "/admin/v1/ha/events"): (
        "The HA monitor's events (suspect, cleared, fence, recovery), oldest first.",
        "events[]"),
    ("POST", "/admin/v1/hosts/{id}/unfence"): (
        "Declare a fenced host healthy again: its maintenance state becomes ready.", None),
    ("POST", "/admin/v1/hosts/{id}/flush"): (
        "Flush a host (uuid or name): move every instance away in the background, 202 with "
        "the progress; with dry_run, 200 with the plan and nothing moves.", None),
    ("POST", "/admin/v1/hosts/{id}/unflush"): (
        "Unflush a host: bring back the instances moved away from it and start those it "
        "shut down; 202 with the progress.", None),
    ("GET", "/admin/v1/hosts/{id}/flush"): (
        "A host's maintenance state and its last flush or unflush: done/total, moves in "
        "flight, failures with reasons.", None),
    ("GET", "/admin/v1/hypervisor-capabilities"): (
        "List hypervisor capabilities, oldest first.", "hypervisor_capabilities[]"),
    ("POST", "/admin/v1/hypervisor-capabilities"): (
        "Create a hypervisor capability (409 for a second row of one type and version).",
        "hypervisor_capability"),
    ("GET", "/admin/v1/hypervisor-capabilities/lookup"): (
        "The capability that applies to a hypervisor type and version, and its source: "
        "exact, type or default.", None),
    ("GET", "/admin/v1/hypervisor-capabilities/{id}"): (
        "Show a hypervisor capability.", "hypervisor_capability"),
    ("PATCH", "/admin/v1/hypervisor-capabilities/{id}"): (
        "Change a hypervisor capability's fields.", "hypervisor_capability"),
    ("DELETE", "/admin/v1/hypervisor-capabilities/{id}"): (
        "Delete a hypervisor capability.", None),
}
# The placement hierarchy: the same five operations on each level, with its parents' uuids
# as list filters.
HIERARCHY = (("zone", "zones", ()), ("pod", "pods", ("zone_id",)),
             ("cluster", "clusters", ("pod_id", "zone_id")), ("host", "hosts", ("cluster_id",)))
for _level, _plural, _ in HIERARCHY:
    _only = " (non-admins: Enabled ones only)" if _level == "zone" else ""
    OPERATIONS.update({
        ("GET", f"/admin/v1/{_plural}"): (f"List {_plural}{_only}.", f"{_plural}[]"),
        ("POST", f"/admin/v1/{_plural}"): (
            f"Create a {_level}, Disabled unless allocationstate says Enabled.", _level),
        ("GET", f"/admin/v1/{_plural}/{{id}}"): (
            f"Show a {_level}" + (" by id or name" if _level == "zone" else "") + ".", _level),
        ("PATCH", f"/admin/v1/{_plural}/{{id}}"): (f"Change a {_level}.", _level),
        ("DELETE", f"/admin/v1/{_plural}/{{id}}"): (
            f"Delete a {_level} that holds nothing (else 409).", None),
    })

OPERATIONS.update({
    ("GET", "/v2.1/os-security-groups"): (
        "List the project's security groups (all_tenants: every project's, admin).",
        "security_groups[]"),
    ("POST", "/v2.1/os-security-groups"): ("Create a security group.", "security_group"),
    ("GET", "/v2.1/os-security-groups/{id}"): ("Show a security group.", "security_group"),
    ("PUT", "/v2.1/os-security-groups/{id}"): (
        "Rename or describe a security group.", "security_group"),
    ("DELETE", "/v2.1/os-security-groups/{id}"): (
        "Delete a security group no server uses (else 409).", None),
    ("POST", "/v2.1/os-security-group-rules"): (
        "Add an ingress rule to a security group.", "security_group_rule"),
    ("DELETE", "/v2.1/os-security-group-rules/{id}"): ("Delete a security group rule.", None),
    ("GET", "/v2.1/servers/{server_id}/os-security-groups"): (
        "List a server's security groups.", "security_groups[]"),
    ("GET", "/admin/v1/security-groups"): (
        "List every project's security groups (project_id filters).", "security_groups[]"),
    ("POST", "/admin/v1/security-groups"): (
        "Create a security group for a project.", "security_group"),
    ("GET", "/admin/v1/security-groups/{id}"): ("Show a security group.", "security_group"),
    ("DELETE", "/admin/v1/security-groups/{id}"): (
        "Delete a security group no server uses (else 409).", None),
    ("GET", "/admin/v1/security-groups/{id}/rules"): (
        "List a security group's rules.", "rules[]"),
    ("POST", "/admin/v1/security-groups/{id}/rules"): (
        "Add an ingress rule to a security group.", "rule"),
    ("DELETE", "/admin/v1/security-groups/{id}/rules/{rule_id}"): (
        "Delete a security group rule.", None),
})

# Success codes of operations that answer with more than one (one per action).
SUCCESS_CODES = {("POST", "/v2.1/servers/{id}/action"): ("202", "204")}

# Query parameters of list operations: name -> description.
_PAGING = {"limit": "Most items to return (capped by [api] max_limit).",
           "marker": "Id of the last item of the previous page."}
QUERY = {
    "/v2.1/servers": {
        **_PAGING,
        "name": "Substring of the name (Nova: a regular expression).",
        "status": "Server status; repeat for several.",
        "image": "Image id.", "flavor": "Flavor id.", "reservation_id": "Reservation id.",
        "changes-since": "ISO 8601 time; servers changed since then.",
        "all_tenants": "Servers of every project (admin).",
        "project_id": "With all_tenants: one project (admin).",
        "host": "Compute host (admin).", "user_id": "User (admin).",
        "vm_state": "vm_state (admin).", "ip": "Matches nothing: no addresses.",
        "ip6": "Matches nothing: no addresses.",
        "tags": "2.26: matches nothing, servers have no tags.",
        "not-tags": "2.26: matches every server."},
    "/v2.1/flavors": {**_PAGING, "minRam": "Minimum RAM (MiB).",
                      "minDisk": "Minimum root disk (GiB).",
                      "is_public": "Admins: true, false or none (all)."},
    "/v2.1/os-hypervisors": {**_PAGING,
                             "hypervisor_hostname_pattern": "2.53: name substring.",
                             "with_servers": "2.53: include each hypervisor's servers."},
    "/v2.1/os-services": {"host": "Host name.", "binary": "Service binary."},
    "/v2.1/limits": {"tenant_id": "Another project (admin)."},
    "/v2.1/os-migrations": {
        "host": "Source or destination host.", "source_compute": "Source host.",
        "status": "Migration status.", "instance_uuid": "Server id.",
        "migration_type": "resize or migration.", "hidden": "Ignored: none is hidden.",
        "limit": "2.59: most migrations to return.", "marker": "2.59: last uuid seen.",
        "changes-since": "2.59: ISO 8601 time; migrations changed since then."},
    "/admin/v1/migrations": {
        "host": "Source or destination host.", "status": "Status; repeat for several.",
        "server": "Server id.", "type": "resize or migration.",
        "open": "true: not ended yet; false: ended.",
        "limit": "Most migrations to return, 1 to 1000 (default 100).",
        "marker": "Last uuid seen."},
    "/admin/v1/ha/events": {
        "host": "Only this host's events (uuid or name).",
        "limit": "Only the last events, 1 to 1000 (default 100)."},
    "/admin/v1/servers/{id}/migration-hosts": {
        "start": "Hosts to skip (default 0).",
        "limit": "Most hosts to return, 1 to 1000 (default 100)."},
    "/admin/v1/hypervisor-capabilities": {
        "hypervisor_type": "Only rows of this type (fake or xen).",
        "hypervisor_version": "Only rows of this version."},
    "/admin/v1/hypervisor-capabilities/lookup": {
        "hypervisor_type": "Required: the host's type (fake or xen).",
        "hypervisor_version": "The host's version; without it, the first row of the type."},
    "/image/v2/images": {
        "limit": "Most images to return (default 25).", "marker": "Last image id seen.",
        "name": "Exact name.", "status": "Image status.", "owner": "Owning project.",
        "visibility": "public, private, shared, community or all.",
        "sort_key": "Sort key (default created_at).", "sort_dir": "asc or desc.",
        "sort": "key:dir[,key:dir...]."},
}
QUERY["/v2.1/servers/detail"] = QUERY["/v2.1/servers"]
QUERY["/v2.1/flavors/detail"] = QUERY["/v2.1/flavors"]
QUERY["/v2.1/os-hypervisors/detail"] = QUERY["/v2.1/os-hypervisors"]
QUERY["/v2.1/os-security-groups"] = {"all_tenants": "Groups of every project (admin)."}
QUERY["/admin/v1/security-groups"] = {"project_id": "Only this project's groups."}
for _, _plural, _parents in HIERARCHY:
    QUERY[f"/admin/v1/{_plural}"] = {
        "allocationstate": "Enabled or Disabled.",
        **{name: f"Only those in this {name.removesuffix('_id')} (uuid)." for name in _parents}}
QUERY["/admin/v1/clusters"]["managedstate"] = "Managed or Unmanaged."

FAULT = {"type": "object", "minProperties": 1, "maxProperties": 1,
         "additionalProperties": {"type": "object", "required": ["code", "message"],
                                  "properties": {"code": {"type": "integer"},
                                                 "message": {"type": "string"}}}}


# --- walking the apps --------------------------------------------------------------------------

def find_router(app):
    """The wsgi.Router inside ``app``, through the middleware that wraps it."""
    seen, todo = set(), [app]
    while todo:
        current = todo.pop(0)
        if isinstance(current, wsgi.Router):
            return current
        if id(current) in seen:
            continue
        seen.add(id(current))
        todo += [getattr(current, name) for name in ("app", "public", "protected",
                                                      "application") if hasattr(current, name)]
    raise LookupError(f"no Router inside {app!r}")


def router_routes(prefix, router):
    """[(method, full path, controller method)] of a Router mounted at ``prefix``."""
    found = []
    for route in router.mapper.matchlist:
        resource, action = route.defaults["controller"], route.defaults["action"]
        path = (prefix + route.routepath) or "/"
        for method in route.conditions["method"]:
            found.append((method, path, getattr(resource.controller, action)))
    return found


def mounted_routers():
    """[(mount prefix, Router)] of every app in the document."""
    mounts = [("", find_router(versions.create_app())),
              ("/v2.1", common.build_router(compute_router.routes(compute_api=None))),
              ("/image", common.build_router(image_router.routes())),
              ("/admin", common.build_router(admin_router.routes(compute_api=None)))]
    identity = identity_router()
    if identity is not None:
        mounts.append(("/identity", identity))
    return mounts


def identity_router():
    """The identity app's Router, or None while there is no identity app to import."""
    try:
        from godwit.api.identity import create_app
    except ImportError:
        return None
    return find_router(create_app())


# --- building the document ---------------------------------------------------------------------

def build_document():
    paths = {}
    schemas = {"Fault": FAULT}
    for prefix, router in mounted_routers():
        for method, path, handler in router_routes(prefix, router):
            operation = _operation(method, path, handler, schemas, prefix)
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "godwit", "version": mv.to_string(mv.MAX_VERSION),
                 "description": "OpenStack Compute v2.1 (microversions "
                                f"{mv.to_string(mv.MIN_VERSION)}-"
                                f"{mv.to_string(mv.MAX_VERSION)}), a read-only Glance v2 "
                                "subset, a Keystone v3 subset and godwit's admin API "
                                "(/admin/v1)."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {"Fault": {"description": "An error, as a Nova-style fault body.",
                                    "content": {"application/json": {
                                        "schema": {"$ref": "#/components/schemas/Fault"}}}}},
            "securitySchemes": {"token": {"type": "apiKey", "in": "header",
                                          "name": "X-Auth-Token"}},
        },
    }


def _operation(method, path, handler, schemas, prefix):
    if prefix == "/identity":
        summary, body_key = f"Keystone v3 subset: {method} {path}.", None
    else:
        summary, body_key = OPERATIONS[(method, path)]
    codes = SUCCESS_CODES.get((method, path), (str(getattr(handler, "wsgi_code", 200)),))
    operation_id = f"{type(handler.__self__).__name__}.{handler.__name__}"
    if prefix == "/admin":
        operation_id = "admin." + operation_id
    responses = {code: _success(code, body_key) for code in codes}
    operation = {"operationId": operation_id, "summary": summary,
                 "responses": {**responses, "default": {
                     "$ref": "#/components/responses/Fault"}}}
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in re.findall(r"{(\w+)}", path)]
    parameters += [{"name": name, "in": "query", "required": False,
                    "description": description, "schema": {"type": "string"}}
                   for name, description in QUERY.get(path, {}).items() if method == "GET"]
    if parameters:
        operation["parameters"] = parameters
    low, high = getattr(handler, "version_range", (None, None))
    if low or high:
        operation["x-openstack-microversions"] = {"min": low or "2.1",
                                                  "max": high or _max()}
    if hasattr(handler, "body_schemas") and prefix == "/admin":
        operation["requestBody"] = _admin_request_body(operation_id, handler, schemas)
    elif hasattr(handler, "body_schemas"):
        operation["requestBody"] = _request_body(operation_id, handler.body_schemas, schemas)
    return operation


def _success(code, body_key):
    response = {"description": "Success."}
    if body_key:
        key = body_key.rstrip("[]")
        value = {"type": "array"} if body_key.endswith("[]") else {"type": "object"}
        response["content"] = {"application/json": {"schema": {
            "type": "object", "required": [key], "properties": {key: value}}}}
    elif code != "204":
        response["content"] = {"application/json": {"schema": {"type": "object"}}}
    return response


def _request_body(operation_id, body_schemas, schemas):
    """The newest schema as the body's; every version range's under x-openstack-body."""
    refs = []
    for schema, low, high in body_schemas:
        name = f"{operation_id}.{low or '2.1'}"
        schemas[name] = schema
        refs.append({"min": low or "2.1", "max": high or _max(),
                     "schema": {"$ref": f"#/components/schemas/{name}"}})
    return {"required": True, "content": {"application/json": {"schema": refs[0]["schema"]}},
            "x-openstack-body": refs}


def _admin_request_body(operation_id, handler, schemas):
    """One schema, no microversions; an optional body may be left out altogether."""
    schemas[operation_id] = handler.body_schemas[0][0]
    return {"required": not handler.body_optional, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{operation_id}"}}}}


def _max():
    return mv.to_string(mv.MAX_VERSION)


def load_document():
    with open(DOCUMENT_PATH, encoding="utf-8") as stream:
        return json.load(stream)


def render(document):
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(build_document()))
