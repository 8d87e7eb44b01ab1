"""Read-only ``/v3`` resources: users, projects, roles and the one domain."""
from godwit import exception, policy
from godwit.api.identity import common, views
from godwit.db import identity as db
from godwit.db import models
from godwit.identity.auth import DEFAULT_DOMAIN


class UsersController:

    def show(self, req, user_id):
        common.authorize(req, "identity:get_user", {"user_id": user_id})
        return {"user": views.user(req, db.user_get(user_id))}

    def projects(self, req, user_id):
        common.authorize(req, "identity:list_user_projects", {"user_id": user_id})
        db.user_get(user_id)
        return views.collection(req, "projects", [
            views.project(req, row) for row in db.project_list_for_user(user_id)])


class ProjectsController:

    def index(self, req):
        """Admins see every project; anyone else the projects they have a role on."""
        context = common.authenticated(req)
        if req.GET.get("domain_id", DEFAULT_DOMAIN["id"]) != DEFAULT_DOMAIN["id"]:
            rows = []
        elif policy.check(context, "identity:list_projects"):
            rows = db.project_list(req.GET.get("name"))
        else:
            rows = db.project_list_for_user(context.user_id, req.GET.get("name"))
        return views.collection(req, "projects", [views.project(req, row) for row in rows])

    def show(self, req, project_id):
        common.authorize(req, "identity:get_project", {"project_id": project_id})
        return {"project": views.project(req, db.project_get(project_id))}


class RolesController:

    def index(self, req):
        common.authorize(req, "identity:list_roles", {})
        name = req.GET.get("name")
        return views.collection(req, "roles", [views.role(req, role) for role in models.ROLES
                                               if name in (None, role)])


class DomainsController:

    def index(self, req):
        common.authorize(req, "identity:list_domains", {})
        name = req.GET.get("name")
        found = name in (None, DEFAULT_DOMAIN["name"])
        return views.collection(req, "domains", [views.domain(req)] if found else [])

    def show(self, req, domain_id):
        common.authorize(req, "identity:get_domain", {})
        if domain_id != DEFAULT_DOMAIN["id"]:
            raise exception.NotFound(f"Could not find domain: {domain_id}.")
        return {"domain": views.domain(req)}
