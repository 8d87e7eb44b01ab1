"""Where an instance goes when godwit moves it on its own (flush, HA recovery).

``choose`` is the one entry point: filter the hosts that could take the instance now, then
rank them by the instance's node selector (doc/ha.md, "Target selection"). Every automatic
move asks it, or ``choose_many`` for several moves at once (a flush's plan, each move live or
not, a live one possibly falling back to a cold one), so they all follow the same rules:

    filter   in the instance's node_limit (when set); not its current host nor excluded;
             the compute service up and enabled, enabled at every level, cluster managed,
             maintenance state ready; room for its vCPUs and RAM (and its disks when the
             move copies them); under the guest limit; in its host's cluster for a live move
    rank     mem      most free memory as the hypervisor reports it
             memprov  most memory not provisioned to instances
             load     lowest load average
             vcpus    fewest vCPUs of running instances
             vms      fewest running instances
             none     [ha] default_node_selector
    ties go to the host name, so the same state always gives the same answer.
"""
import collections

from godwit import exception
from godwit.compute import resource_tracker
from godwit.conf import CONF
from godwit.db import api as db
from godwit.scheduler import filters
from godwit.scheduler.filters import compute, guests, resources
from godwit.scheduler.host_state import HostStateCache


class NoTarget(exception.GodwitException):
    msg_fmt = "No host can take instance %(instance)s: %(reason)s"


# One move of a plan: ``live`` and ``needs_disk`` as ``choose`` takes them; ``or_cold``: a
# live move that no host takes becomes a cold one (its disks copied) to any valid host.
Move = collections.namedtuple("Move", "instance live needs_disk or_cold",
                              defaults=(False, False, False))
# What ``choose_many`` made of a Move: ``move`` the move chosen (the cold one a live move fell
# back to), ``target`` its host, or None and ``refused`` the NoTarget saying why;
# ``live_refused`` the NoTarget of the live move it fell back from.
Choice = collections.namedtuple("Choice", "move target refused live_refused",
                                defaults=(None, None))


class _Candidate:
    """A host's scheduler state plus the figures the selectors rank by; ``consume`` takes
    an instance's needs from all of them."""

    def __init__(self, state, host):
        self.state = state
        self.name = state.name
        self.cluster_id = host.cluster_id
        self.memory_free_mb = host.memory_free_mb if host.memory_free_mb is not None \
            else state.free_memory_mb
        self.load_average = host.load_average
        self.vcpus_used = host.vcpus_used

    def consume(self, spec):
        self.state.consume(spec)
        self.memory_free_mb -= spec["memory_mb"]
        self.vcpus_used += spec["vcpus"]


# Rank keys: the smallest key wins. An unknown load ranks after every known one.
_RANKINGS = {
    "mem": lambda c: -c.memory_free_mb,
    "memprov": lambda c: -c.state.free_memory_mb,
    "load": lambda c: float("inf") if c.load_average is None else c.load_average,
    "vcpus": lambda c: c.vcpus_used,
    "vms": lambda c: c.state.running_vms,
}


def choose(instance, exclude=(), live=False, needs_disk=False):
    """The best host for ``instance`` other than its own and ``exclude``; NoTarget (with
    every host's reason) when there is none. ``live``: the move keeps the VM running, so
    the target must be in the cluster of its host; ``needs_disk``: the move copies its
    disks, so the target needs room for them."""
    return _choose(instance, _candidates(), exclude, live, needs_disk).name


def choose_many(moves, exclude=()):
    """A Choice for each of ``moves`` (Move rows, live or cold each), choosing in turn as
    ``choose`` would over one set of hosts: each choice takes its resources from the host,
    so no two moves, live or cold, both get the last room on one host."""
    candidates = _candidates()
    return [_choose_move(move, candidates, exclude) for move in moves]


def _choose_move(move, candidates, exclude):
    try:
        candidate = _choose(move.instance, candidates, exclude, move.live, move.needs_disk)
    except NoTarget as err:
        if not (move.live and move.or_cold):
            return Choice(move, None, err)
        cold = _choose_move(Move(move.instance, needs_disk=True), candidates, exclude)
        return cold._replace(live_refused=err)
    candidate.consume(_spec(move.instance, move.needs_disk))
    return Choice(move, candidate.name)


def selector_of(instance):
    """The node selector that ranks targets for ``instance``."""
    selector = instance.node_selector
    return CONF.ha.default_node_selector if selector in (None, "none") else selector


def _choose(instance, candidates, exclude, live, needs_disk):
    spec = _spec(instance, needs_disk)
    home_cluster = next((c.cluster_id for c in candidates if c.name == instance.host), None)
    refused, fitting = {}, []
    for candidate in candidates:
        if candidate.name == instance.host or candidate.name in exclude:
            continue
        why = _refusal(instance, candidate, spec, home_cluster if live else False)
        if why:
            refused[candidate.name] = why
        else:
            fitting.append(candidate)
    if not fitting:
        reason = "; ".join(f"{name}: {why}" for name, why in sorted(refused.items())) or \
            "there is no other host"
        raise NoTarget(instance=instance.uuid, reason=reason)
    rank = _RANKINGS[selector_of(instance)]
    return min(fitting, key=lambda candidate: (rank(candidate), candidate.name))


def _refusal(instance, candidate, spec, live_cluster):
    """Why ``candidate`` cannot take the instance, or None. ``live_cluster``: the cluster a
    live move must stay in (False: the move is not live; None: the host is in no cluster,
    so no host qualifies)."""
    if instance.node_limit and candidate.name not in instance.node_limit:
        return "it is not in the instance's node_limit"
    if live_cluster is not False and (live_cluster is None or
                                      candidate.cluster_id != live_cluster):
        return "it is not in the cluster of the instance's host (a live move stays there)"
    return filters.refusal(_refusals(spec), candidate.state, spec)


def _refusals(spec):
    disk = (resources.disk_refusal,) if spec["disk_gb"] else ()
    return (compute.compute_refusal, resources.core_refusal, resources.ram_refusal, *disk,
            guests.max_guests_refusal)


def _spec(instance, needs_disk):
    vcpus, memory_mb, disk_gb = resource_tracker.needs(instance)
    return {"vcpus": vcpus, "memory_mb": memory_mb, "disk_gb": disk_gb if needs_disk else 0}


def _candidates():
    cache = HostStateCache()
    with cache.lock:
        states = list(cache.ranking().states)
    hosts = {host.name: host for host in db.host_list()}
    return [_Candidate(state, hosts[state.name]) for state in states if state.name in hosts]
