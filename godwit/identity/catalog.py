"""The service catalog: where clients find compute, image and identity.

Every service is served by godwit-api itself, so all endpoints share one base URL:
``[api] public_endpoint``, else the URL the request came in on, else
``http://<bind_host>:<bind_port>``. Ids are derived from the URLs, so they are stable.
"""
import uuid

from godwit.conf import CONF

SERVICES = (
    # (type, name, path under the base URL)
    ("compute", "nova", "/v2.1"),
    ("image", "glance", "/image"),
    ("identity", "keystone", "/identity"),
)
INTERFACES = ("public", "internal", "admin")
_NAMESPACE = uuid.UUID("5b0f0d3c-2a41-4c63-9a6e-6f2b1d1c9e07")


def base_url(host_url=None):
    """Base URL of godwit-api; ``host_url`` is the current request's, when there is one."""
    if CONF.api.public_endpoint:
        return CONF.api.public_endpoint.rstrip("/")
    if host_url:
        return host_url.rstrip("/")
    return f"http://{CONF.api.bind_host}:{CONF.api.bind_port}"


def identity_url(host_url=None):
    """Root of the identity API; clients' ``auth_url`` is this plus ``/v3``."""
    return base_url(host_url) + "/identity"


def www_authenticate(host_url=None):
    """``WWW-Authenticate`` value of a 401: tells clients where to get a token."""
    return f'Keystone uri="{identity_url(host_url)}"'


def stable_id(*parts):
    return uuid.uuid5(_NAMESPACE, "/".join(parts)).hex


def _endpoint(service_type, interface, url):
    region = CONF.identity.region
    return {"id": stable_id("endpoint", service_type, interface, url), "interface": interface,
            "region": region, "region_id": region, "url": url}


def build_catalog(host_url=None):
    """The catalog in Keystone v3's token shape."""
    base = base_url(host_url)
    return [{"id": stable_id("service", service_type), "type": service_type, "name": name,
             "endpoints": [_endpoint(service_type, interface, base + path)
                           for interface in INTERFACES]}
            for service_type, name, path in SERVICES]
