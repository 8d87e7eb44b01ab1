"""Errors with the HTTP status the API turns them into.

Raise these from any layer; the fault middleware renders them as Nova-style fault bodies.
Anything else that escapes is a bug and becomes a 500.
"""


class GodwitException(Exception):
    code = 500
    msg_fmt = "An unknown error occurred."
    headers = None

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self.msg_fmt % kwargs if kwargs else self.msg_fmt
        self.message = message
        super().__init__(message)


class Invalid(GodwitException):
    code = 400
    msg_fmt = "Invalid input: %(reason)s"


class ValidationError(Invalid):
    msg_fmt = "Invalid input for field/attribute %(field)s. %(reason)s"


class MarkerNotFound(Invalid):
    msg_fmt = "Marker %(marker)s could not be found."


class NotAuthenticated(GodwitException):
    code = 401
    msg_fmt = "The request you have made requires authentication."


class Forbidden(GodwitException):
    code = 403
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class QuotaExceeded(Forbidden):
    msg_fmt = "Quota exceeded for %(resource)s: requested %(requested)s, but already used " \
              "%(used)s of %(allowed)s %(resource)s"


class NotFound(GodwitException):
    code = 404
    msg_fmt = "Resource could not be found."


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class HostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class ProjectNotFound(NotFound):
    msg_fmt = "Project %(project)s could not be found."


class UserNotFound(NotFound):
    msg_fmt = "User %(user)s could not be found."


class Conflict(GodwitException):
    code = 409
    msg_fmt = "The request conflicts with the current state of the resource."


class InstanceInvalidState(Conflict):
    msg_fmt = "Cannot '%(action)s' instance %(instance_uuid)s while it is in " \
              "%(attr)s %(state)s"


class MigrationNotFound(NotFound):
    msg_fmt = "Migration %(migration_id)s could not be found."


class InvalidMigrationTransition(GodwitException):
    """A bug, not bad input: code tried to move a migration along a path the table forbids."""
    msg_fmt = "Migration status %(current)s may not be followed by %(new)s."


class FlavorExists(Conflict):
    msg_fmt = "Flavor with %(field)s %(value)s already exists."


class DuplicateEntry(Conflict):
    msg_fmt = "%(what)s %(name)s already exists."


class PlacementNotFound(NotFound):
    """A zone, pod, cluster or host (``level``) named by uuid (or a zone by name)."""
    msg_fmt = "%(level)s %(ref)s could not be found."


class ZoneDisabled(Invalid):
    msg_fmt = "Zone %(zone)s is disabled: only cloud administrators may create resources in it."


class NoValidHost(GodwitException):
    msg_fmt = "No valid host was found. %(reason)s"


class HypervisorError(GodwitException):
    """A hypervisor refused or failed a call; the message names the call and its error."""
    msg_fmt = "Hypervisor call %(method)s failed: %(reason)s"


class XenAPIError(HypervisorError):
    """XAPI answered with a failure; ``xapi_code`` is its error code (HANDLE_INVALID...)."""
    msg_fmt = "XAPI call %(method)s failed: %(xapi_code)s %(params)s"

    def __init__(self, method, details):
        self.xapi_code = details[0] if details else "UNKNOWN"
        self.params = list(details[1:])
        super().__init__(method=method, xapi_code=self.xapi_code, params=self.params)


class HypervisorUnreachable(HypervisorError):
    msg_fmt = "Cannot reach the hypervisor at %(url)s: %(reason)s"
