"""``GET /admin/v1``: the admin API's version document, served without a token."""
from godwit.api.openstack import common


class VersionController:

    def show(self, req):
        return {"version": {"id": "v1", "status": "CURRENT",
                            "links": [{"rel": "self", "href": f"{common.base_url(req)}/v1"}]}}
