"""The image API app (a read-only Glance v2 subset) mounted at ``/image``."""
from godwit.api.image import images, schemas, versions
from godwit.api.openstack import common

PUBLIC_PATHS = ("", "/", "/versions")


def routes():
    """[(path, controller, {method: action})]."""
    version = versions.VersionsController()
    image = images.ImagesController()
    schema = schemas.SchemasController()
    return [
        ("", version, {"GET": "choices"}),
        ("/", version, {"GET": "choices"}),
        ("/versions", version, {"GET": "index"}),
        ("/v2/images", image, {"GET": "index"}),
        ("/v2/images/{image_id}", image, {"GET": "show"}),
        ("/v2/schemas/image", schema, {"GET": "image"}),
        ("/v2/schemas/images", schema, {"GET": "images"}),
    ]


def create_app(auth_middleware=None):
    """The WSGI app to mount at ``/image``; ``auth_middleware`` wraps all but the versions."""
    router = common.ValidQueryString(common.build_router(routes()))
    protected = auth_middleware(router) if auth_middleware is not None else router
    return common.PublicPaths(PUBLIC_PATHS, router, protected)
