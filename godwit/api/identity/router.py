"""The identity API's routes. The app composer mounts the app at ``/identity``."""
from godwit.api import wsgi
from godwit.api.identity import auth, errors, resources, versions

ROUTES = [
    # (path, controller class, {method: action})
    ("", versions.VersionsController, {"GET": "index"}),  # GET /identity
    ("/", versions.VersionsController, {"GET": "index"}),
    ("/v3", versions.VersionsController, {"GET": "show"}),
    ("/v3/", versions.VersionsController, {"GET": "show"}),
    ("/v3/auth/tokens", auth.AuthController, {
        "POST": "create_token", "GET": "validate_token", "HEAD": "check_token",
        "DELETE": "revoke_token"}),
    ("/v3/auth/catalog", auth.AuthController, {"GET": "catalog"}),
    ("/v3/auth/projects", auth.AuthController, {"GET": "projects"}),
    ("/v3/users/{user_id}", resources.UsersController, {"GET": "show"}),
    ("/v3/users/{user_id}/projects", resources.UsersController, {"GET": "projects"}),
    ("/v3/projects", resources.ProjectsController, {"GET": "index"}),
    ("/v3/projects/{project_id}", resources.ProjectsController, {"GET": "show"}),
    ("/v3/roles", resources.RolesController, {"GET": "index"}),
    ("/v3/domains", resources.DomainsController, {"GET": "index"}),
    ("/v3/domains/{domain_id}", resources.DomainsController, {"GET": "show"}),
]


def create_app():
    """The identity WSGI app (Keystone v3 subset), with Keystone-style error bodies."""
    router = wsgi.Router()
    controllers = {}
    for path, controller_class, actions in ROUTES:
        if controller_class not in controllers:
            controllers[controller_class] = wsgi.Resource(controller_class())
        router.resource_routes(path, controllers[controller_class], actions)
    return errors.KeystoneErrors(router)
