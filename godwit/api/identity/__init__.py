"""A Keystone v3 subset under ``/identity``: password auth, tokens, catalog, projects.

``create_app()`` returns the WSGI app; mount it at ``/identity`` (SCRIPT_NAME set, route
paths like ``/v3/auth/tokens``) and do not put the API's auth middleware in front of it.
"""
from godwit.api.identity.router import create_app

__all__ = ["create_app"]
