"""Default policy rules, in code; ``policy.yaml`` overrides them (oslo.policy)."""
import itertools

from godwit.policies import admin, base, compute, identity, image, security_groups


def list_rules():
    return list(itertools.chain(base.list_rules(), compute.list_rules(),
                                identity.list_rules(), image.list_rules(),
                                admin.list_rules(), security_groups.list_rules()))
