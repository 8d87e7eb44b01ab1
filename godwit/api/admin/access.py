"""Who may use an admin API route: its ``godwit_admin:*`` rule, checked before anything."""
import functools

from godwit import exception, policy


def admin_only(rule):
    """Checks ``rule`` before the body is even read: a refused caller learns nothing but
    "Permission denied" (403)."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, req, **kwargs):
            if not policy.check(req.context, rule):
                raise exception.Forbidden("Permission denied")
            return func(self, req, **kwargs)
        return wrapper
    return decorator
