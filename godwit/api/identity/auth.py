"""``/v3/auth``: issuing, validating and revoking tokens; the caller's catalog and projects."""
import webob

from godwit import exception, policy
from godwit.api import validation, wsgi
from godwit.api.identity import common, schemas, views
from godwit.db import identity as db
from godwit.identity import auth, catalog, tokens

# godwit does not store how a token was obtained; validation reports the usual method.
VALIDATED_METHODS = ["password"]


class AuthController:

    def create_token(self, req):
        body = schemas.validate(schemas.AUTH, validation.read_json(req))["auth"]
        identity = body["identity"]
        method = identity["methods"][0]
        if method == "password":
            user_ref = identity["password"]["user"]
            user = auth.authenticate_password(user_ref, user_ref["password"])
            expires_at = None
        else:
            parent = tokens.lookup(identity["token"]["id"])
            user, expires_at = db.user_get(parent.user_id), parent.expires_at
        project, roles = _scope(user, body.get("scope"))
        token, info = tokens.issue(user, project, roles, expires_at=expires_at)
        return _token_response(req, info, [method], 201, token)

    def validate_token(self, req):
        info = self._subject(req, "identity:validate_token")
        return _token_response(req, info, VALIDATED_METHODS, 200)

    def check_token(self, req):
        self._subject(req, "identity:check_token")
        return webob.Response(status=200, content_type=None,
                              headers={"X-Subject-Token": req.headers["X-Subject-Token"]})

    @wsgi.response(204)
    def revoke_token(self, req):
        self._subject(req, "identity:revoke_token")
        tokens.revoke(req.headers["X-Subject-Token"])

    def catalog(self, req):
        context = common.authenticated(req)
        if context.project_id is None:
            raise exception.Forbidden(
                "A project-scoped token is required to produce a service catalog.")
        return {"catalog": catalog.build_catalog(req.host_url),
                "links": {"self": req.url, "previous": None, "next": None}}

    def projects(self, req):
        context = common.authenticated(req)
        return views.collection(req, "projects", [
            views.project(req, row) for row in db.project_list_for_user(context.user_id)])

    def _subject(self, req, rule):
        """The token in ``X-Subject-Token``, if the caller may see it."""
        context = common.authenticated(req)
        subject = req.headers.get("X-Subject-Token")
        if not subject:
            raise exception.Invalid(reason="The X-Subject-Token header is required.")
        try:
            info = tokens.lookup(subject)
        except exception.NotAuthenticated:
            raise exception.NotFound("Could not find token.") from None
        policy.authorize(context, rule, {"user_id": info.user_id})
        return info


def _scope(user, scope):
    if scope == "unscoped":
        return None, []
    if scope is None:
        return auth.scope(user)
    if "project" not in scope:
        raise exception.NotAuthenticated("Only project-scoped and unscoped tokens are "
                                         "supported.")
    return auth.scope(user, scope["project"])


def _token_response(req, info, methods, status, token=None):
    entries = None if "nocatalog" in req.GET else catalog.build_catalog(req.host_url)
    return wsgi.json_response({"token": views.token(info, methods, entries)}, status=status,
                              headers={"X-Subject-Token": token or req.headers["X-Subject-Token"]})
