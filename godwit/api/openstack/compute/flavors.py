"""``/flavors``: list, show and extra specs (read) for everyone; see flavor_manage for admins.

Non-admins see public, enabled flavors; admins choose with ``is_public`` (true, false or
``none`` for all). A flavor is shown by id to anyone who knows it, as in Nova.
"""
from godwit import exception, policy
from godwit.api.openstack import common
from godwit.api.openstack.compute.views import flavors as views
from godwit.db import api as db


class FlavorsController:

    def index(self, req):
        return self._list(req, views.basic)

    def detail(self, req):
        return self._list(req, views.detail)

    def show(self, req, id):
        return {"flavor": views.detail(req, db.flavor_get(id))}

    def extra_specs(self, req, id):
        policy.authorize(req.context, "os_compute_api:os-flavor-extra-specs:index")
        return {"extra_specs": dict(db.flavor_get(id).extra_specs or {})}

    def extra_spec(self, req, id, key):
        specs = self.extra_specs(req, id)["extra_specs"]
        if key not in specs:
            raise exception.NotFound(f"Flavor {id} has no extra specs with key {key}.")
        return {key: specs[key]}

    def _list(self, req, view):
        limit, marker = common.limit_and_marker(req)
        flavors = common.page(self._visible(req), limit, marker, lambda f: f.flavorid)
        body = {"flavors": [view(req, flavor) for flavor in flavors]}
        links = common.next_links(req, flavors, limit, lambda f: f.flavorid)
        if links:
            body["flavors_links"] = links
        return body

    def _visible(self, req):
        admin = req.context.can_see_all_projects()
        is_public = _is_public(req.GET.get("is_public")) if admin else True
        flavors = db.flavor_list(is_public=is_public,
                                 min_memory_mb=_int_filter(req, "minRam"),
                                 min_disk=_int_filter(req, "minDisk"))
        return flavors if admin else [flavor for flavor in flavors if not flavor.disabled]


def _is_public(value):
    if value is None:
        return True
    if value.lower() == "none":
        return None
    try:
        return common.parse_bool(value, "is_public")
    except exception.Invalid:
        raise exception.Invalid(f"Invalid is_public filter [{value}]") from None


def _int_filter(req, name):
    value = req.GET.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise exception.Invalid(f"Invalid {name} filter [{value}]") from None
    if number < 0:
        raise exception.Invalid(f"Invalid {name} filter [{value}]")
    return number
