"""The admin API ``/admin/v1``: what operators do that the Compute API has no words for.

Every route is for admins only (``godwit_admin:*`` rules), except reading zones; JSON in
and out, the same tokens and Nova-style fault bodies as ``/v2.1``. ``create_app()`` returns
the WSGI app; mount it at ``/admin`` (SCRIPT_NAME set, route paths like ``/v1/migrations``).
"""
from godwit.api.admin.router import create_app

__all__ = ["create_app"]
