"""The OpenStack Compute API v2.1 (Nova's shapes and microversions) under ``/v2.1``.

``create_app()`` returns the WSGI app; mount it at ``/v2.1`` (SCRIPT_NAME set, route paths
like ``/servers``).
"""
from godwit.api.openstack.compute.router import create_app

__all__ = ["create_app"]
