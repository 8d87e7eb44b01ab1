"""Security group rules on a XenServer host, through the ``godwit_firewall`` dom0 plugin.

The plugin renders an instance's rules as an iptables-restore ruleset for a chain of its
own and keeps the rules beside it, so ``list_rulesets`` tells godwit what each host
holds. See plugins/xenserver/xapi.d/plugins/godwit_firewall and doc/security-groups.md.
"""
import json

PLUGIN = "godwit_firewall"


def _plugin(xen, fn, **args):
    return json.loads(xen.call("host.call_plugin", xen.host_ref, PLUGIN, fn, args))


def apply(xen, instance, rules):
    _plugin(xen, "apply_ruleset", instance=instance.uuid, rules=json.dumps(rules))


def remove(xen, instance):
    _plugin(xen, "remove_ruleset", instance=instance.uuid)


def applied(xen):
    return _plugin(xen, "list_rulesets")
