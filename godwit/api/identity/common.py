"""Authentication of callers of the identity API itself.

The identity API checks ``X-Auth-Token`` on its own rather than sitting behind the API's
auth middleware: getting a token needs no token, and unscoped tokens are valid here.
"""
from godwit import policy
from godwit.identity import tokens


def authenticated(req):
    """The caller's RequestContext, or NotAuthenticated."""
    info = tokens.lookup(req.headers.get("X-Auth-Token"))
    return tokens.to_context(info, req.environ.get("openstack.request_id"))


def authorize(req, rule, target):
    """The caller's RequestContext if ``rule`` allows it on ``target``; else 401 or 403."""
    context = authenticated(req)
    policy.authorize(context, rule, target)
    return context
