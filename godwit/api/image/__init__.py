"""A read-only Glance v2 subset under ``/image``: the images (templates) the cloud offers.

``create_app()`` returns the WSGI app; mount it at ``/image`` (SCRIPT_NAME set, route paths
like ``/v2/images``).
"""
from godwit.api.image.router import create_app

__all__ = ["create_app"]
