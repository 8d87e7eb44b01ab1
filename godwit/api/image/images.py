"""``GET /v2/images`` and ``/v2/images/{id}``: the templates a caller may see, Glance style.

Visible: public and community images, and the caller's project's own; admins see all. As in
Glance, a list without ``visibility`` leaves out community images the caller does not own.
"""
import urllib.parse

from godwit import exception, policy
from godwit.api.image import views
from godwit.api.openstack import common
from godwit.db import api as db

DEFAULT_LIMIT = 25
VISIBILITIES = ("public", "private", "shared", "community", "all")
STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
            "uploading", "importing")
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at",
             "updated_at", "visibility", "owner", "min_disk", "min_ram")
_COLUMNS = {"id": "uuid"}


class ImagesController:

    def index(self, req):
        context = req.context
        policy.authorize(context, "get_images")
        keep = _filter(req.GET, context.project_id)
        images = [image for image in self._visible(context) if keep(image)]
        images = _sorted(images, _sort_order(req.GET))
        limit, marker = common.limit_and_marker(req, default=DEFAULT_LIMIT)
        if marker is not None and marker not in {image.uuid for image in images}:
            raise exception.Invalid(f"Invalid marker. Image {marker} could not be found.")
        page = common.page(images, limit, marker, lambda image: image.uuid)
        body = {"images": [views.image(image) for image in page], "first": "/v2/images",
                "schema": "/v2/schemas/images"}
        if limit and len(page) == limit:
            body["next"] = _next(req, page[-1].uuid, limit)
        return body

    def show(self, req, image_id):
        context = req.context
        policy.authorize(context, "get_image")
        if not common.is_uuid(image_id):
            raise exception.ImageNotFound(image_id=image_id)
        return views.image(db.image_get(image_id, project_id=context.project_id,
                                        all_projects=context.can_see_all_projects()))

    @staticmethod
    def _visible(context):
        return db.image_list(project_id=context.project_id,
                             all_projects=context.can_see_all_projects())


def _filter(params, project_id):
    """The list filters as a predicate; 400 for values Glance refuses."""
    visibility = params.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        raise exception.Invalid(f"Invalid visibility value: {visibility}")
    if params.get("status") is not None and params["status"] not in STATUSES:
        raise exception.Invalid(f"Invalid status value: {params['status']}")
    hidden_only = "os_hidden" in params and common.parse_bool(params["os_hidden"], "os_hidden")
    exact = {param: params[param] for param in ("name", "status", "owner") if param in params}

    def keep(image):
        if visibility is None:
            if image.visibility == "community" and image.owner != project_id:
                return False
        elif visibility != "all" and image.visibility != visibility:
            return False
        return not hidden_only and all(getattr(image, param) == value
                                       for param, value in exact.items())
    return keep


def _sort_order(params):
    """[(key, "asc"|"desc")] from ``sort=k1:dir,k2`` or ``sort_key``/``sort_dir``."""
    if "sort" in params:
        order = []
        for item in params["sort"].split(","):
            key, _, direction = item.strip().partition(":")
            order.append((key, direction or "desc"))
    else:
        order = [(params.get("sort_key", "created_at"), params.get("sort_dir", "desc"))]
    for key, direction in order:
        if key not in SORT_KEYS:
            raise exception.Invalid(f"Invalid sort key: {key}")
        if direction not in ("asc", "desc"):
            raise exception.Invalid(f"Invalid sort direction: {direction}")
    return order


def _sorted(images, order):
    """Stable sorts from the last key to the first; ties fall back to newest id first."""
    images = sorted(images, key=lambda image: image.id, reverse=True)
    for key, direction in reversed(order):
        column = _COLUMNS.get(key, key)
        images.sort(key=lambda image: _sortable(getattr(image, column)),
                    reverse=direction == "desc")
    return images


def _sortable(value):
    return (value is not None, value if value is not None else 0)


def _next(req, marker, limit):
    params = [(k, v) for k, v in req.GET.items() if k not in ("marker", "limit")]
    params += [("marker", marker), ("limit", str(limit))]
    return "/v2/images?" + urllib.parse.urlencode(params)
