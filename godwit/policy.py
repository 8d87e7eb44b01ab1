"""Who may do what: oslo.policy with godwit's defaults, overridable by ``policy.yaml``.

The file is found through the standard ``[oslo_policy] policy_file`` option (relative paths
are looked up next to the config files) and is re-read when it changes. This module uses
``cfg.CONF`` without importing ``godwit.conf``, so that oslo.policy's tools, which parse the
global CONF before loading the ``oslo.policy.policies`` entry point, can import it.
"""
import threading

from oslo_config import cfg
from oslo_policy import policy

from godwit import exception, policies

_lock = threading.Lock()
_enforcer = None


def get_enforcer():
    global _enforcer
    with _lock:
        if _enforcer is None:
            enforcer = policy.Enforcer(cfg.CONF)
            enforcer.register_defaults(policies.list_rules())
            _enforcer = enforcer
        return _enforcer


def reset():
    """Forget the enforcer, so the next check reloads rules and policy file (tests)."""
    global _enforcer
    with _lock:
        if _enforcer is not None:
            _enforcer.clear()
        _enforcer = None


def _target(context, target):
    return {"project_id": context.project_id} if target is None else target


def check(context, rule, target=None):
    """Whether ``rule`` allows ``context`` on ``target``; for choices, not for refusals."""
    return get_enforcer().authorize(rule, _target(context, target), context)


def authorize(context, rule, target=None):
    """Raises Forbidden unless ``rule`` allows ``context`` on ``target``.

    ``target`` defaults to the caller's own project, which suits create and list calls.
    """
    get_enforcer().authorize(rule, _target(context, target), context, do_raise=True,
                             exc=exception.Forbidden, action=rule)
    return True


def list_rules():
    """Entry point ``oslo.policy.policies`` (oslopolicy-sample-generator)."""
    return policies.list_rules()
