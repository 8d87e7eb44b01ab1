"""Version discovery: what keystoneauth reads first at the ``auth_url``."""
from godwit.api import wsgi
from godwit.api.identity import views


class VersionsController:

    def index(self, req):
        """``GET /identity``: every version; 300 Multiple Choices, as Keystone answers."""
        return wsgi.json_response({"versions": {"values": [views.version(req)]}}, status=300)

    def show(self, req):
        """``GET /identity/v3``."""
        return {"version": views.version(req)}
