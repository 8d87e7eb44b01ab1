"""Request context: who is asking, carried from the API through RPC to the workers."""
from oslo_context import context


class RequestContext(context.RequestContext):

    def can_see_all_projects(self):
        return "admin" in self.roles

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(values, is_admin=values.get("is_admin", False))


def get_admin_context():
    """Context for services acting on their own behalf (heartbeats, reconcilers)."""
    return RequestContext(is_admin=True, roles=["admin"], overwrite=False)
