"""Rules for the read-only Glance v2 subset (``/image``), under Glance's rule names.

Which images a caller sees is decided by visibility (public, community, or owned by the
caller's project; admins see all); these rules decide whether they may look at all.
"""
from oslo_policy import policy

from godwit.policies import base

RULES = [
    policy.DocumentedRuleDefault(
        name="get_images", check_str=base.ANY_AUTHENTICATED, description="List images.",
        operations=[{"method": "GET", "path": "/image/v2/images"}]),
    policy.DocumentedRuleDefault(
        name="get_image", check_str=base.ANY_AUTHENTICATED, description="Show an image.",
        operations=[{"method": "GET", "path": "/image/v2/images/{image_id}"}]),
]


def list_rules():
    return RULES
