"""Keystone v3 JSON shapes for tokens, users, projects, roles and domains."""
from godwit.identity import catalog
from godwit.identity.auth import DEFAULT_DOMAIN

API_VERSION = "v3.14"
API_UPDATED = "2020-04-07T00:00:00Z"
MEDIA_TYPES = [{"base": "application/json",
                "type": "application/vnd.openstack.identity-v3+json"}]


def url(req, path=""):
    """Absolute URL of ``/identity<path>`` as clients should see it."""
    return catalog.identity_url(req.host_url) + path


def timestamp(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def version(req):
    return {"id": API_VERSION, "status": "stable", "updated": API_UPDATED,
            "links": [{"rel": "self", "href": url(req, "/v3/")}],
            "media-types": MEDIA_TYPES}


def collection(req, key, items):
    return {key: items, "links": {"self": req.url, "previous": None, "next": None}}


def token(info, methods, catalog_entries=None):
    """The ``token`` object; unscoped tokens carry neither project, roles nor catalog."""
    body = {
        "methods": methods,
        "user": {"id": info.user_id, "name": info.user_name, "domain": DEFAULT_DOMAIN,
                 "password_expires_at": None},
        "audit_ids": [info.audit_id],
        "expires_at": timestamp(info.expires_at),
        "issued_at": timestamp(info.issued_at),
    }
    if info.project_id is not None:
        body["project"] = {"id": info.project_id, "name": info.project_name,
                           "domain": DEFAULT_DOMAIN}
        body["is_domain"] = False
        body["roles"] = [role_ref(name) for name in info.roles]
        if catalog_entries is not None:
            body["catalog"] = catalog_entries
    return body


def user(req, row):
    body = {"id": row.id, "name": row.name, "domain_id": row.domain_id,
            "enabled": row.enabled, "password_expires_at": None, "options": {},
            "links": {"self": url(req, f"/v3/users/{row.id}")}}
    if row.default_project_id:
        body["default_project_id"] = row.default_project_id
    return body


def project(req, row):
    return {"id": row.id, "name": row.name, "description": row.description or "",
            "domain_id": row.domain_id, "enabled": row.enabled, "is_domain": False,
            "parent_id": row.domain_id, "tags": [], "options": {},
            "links": {"self": url(req, f"/v3/projects/{row.id}")}}


def role_id(name):
    return catalog.stable_id("role", name)


def role_ref(name):
    return {"id": role_id(name), "name": name}


def role(req, name):
    return {**role_ref(name), "domain_id": None, "description": None, "options": {},
            "links": {"self": url(req, f"/v3/roles/{role_id(name)}")}}


def domain(req):
    return {**DEFAULT_DOMAIN, "description": "The default domain", "enabled": True,
            "tags": [], "options": {},
            "links": {"self": url(req, f"/v3/domains/{DEFAULT_DOMAIN['id']}")}}
