"""The scheduler's RPC endpoint: pick a host and alternates for each instance."""
import random

import oslo_messaging as messaging
from oslo_log import log as logging

from godwit import exception
from godwit.compute import build
from godwit.conf import CONF
from godwit.ha import monitor
from godwit.scheduler import filters, weighers
from godwit.scheduler.host_state import HostStateCache

LOG = logging.getLogger(__name__)


class SchedulerManager:
    target = messaging.Target(version="1.0")

    def __init__(self):
        self.cache = HostStateCache()
        self.filters = filters.enabled(CONF.scheduler.enabled_filters)
        self.refusals = filters.enabled_refusals(CONF.scheduler.enabled_filters)
        self.ha_monitor = monitor.for_scheduler()

    def periodic_tasks(self):
        """(callable, interval in seconds) pairs the service runs in the background."""
        return [(lambda: build.fail_lost_builds(CONF.scheduler.lost_build_timeout),
                 CONF.scheduler.lost_build_timeout / 2),
                (self.ha_monitor.tick, CONF.ha.monitor_interval)]

    def cleanup_host(self):
        """The service stops: another scheduler takes the HA monitor over at once."""
        self.ha_monitor.stop()

    def select_destinations(self, context, request_spec, instance_uuids):
        """For each instance: [chosen host, alternate, ...], or NoValidHost for the lot."""
        with self.cache.lock:
            ranking = self.cache.ranking()
            selections = [self._select_one(ranking, request_spec) for _ in instance_uuids]
        LOG.debug("Selected %s for %s", selections, instance_uuids)
        return selections

    def _select_one(self, ranking, spec):
        """Picks among the ``host_subset_size`` best-weighed hosts that pass every filter;
        the alternates are the best of the others.

        ``spec`` may name ``ignore_hosts`` (never these) and ``force_hosts`` (only these;
        the filters still apply, and when none passes the error says why each failed)."""
        ignored, forced = set(spec.get("ignore_hosts") or ()), spec.get("force_hosts")
        subset_size, max_attempts = CONF.scheduler.host_subset_size, CONF.scheduler.max_attempts
        # The chosen host is among the first subset_size passing hosts and its alternates
        # (max_attempts - 1 of the others) among the first max_attempts: none further count.
        wanted = max(subset_size, max_attempts)
        if forced:
            hosts = [h for h in ranking.states if h.name in forced and h.name not in ignored]
            candidates = weighers.order(
                [h for h in hosts if all(f(h, spec) for f in self.filters)])[:wanted]
        else:
            hosts = None
            candidates = ranking.best(spec, self.filters, wanted, ignored)
        if not candidates:
            raise exception.NoValidHost(
                reason=why_none(hosts, forced, ignored, spec, self.refusals))
        chosen = random.choice(candidates[:subset_size])
        ranking.consume(chosen, spec)
        alternates = [h for h in candidates if h is not chosen]
        return [chosen.name] + [h.name for h in alternates[:max_attempts - 1]]


def why_none(hosts, forced, ignored, spec, refusals):
    """What NoValidHost says: for named hosts, why each of them cannot take the instance
    (``hosts``: the named hosts the scheduler knows, ``refusals``: the enabled filters')."""
    if not forced:
        return "There are not enough hosts available."
    states = {host.name: host for host in hosts}
    reasons = []
    for name in forced:
        if name in ignored:
            reasons.append(f"Host {name} is excluded: the instance is already there.")
        elif name not in states:
            reasons.append(f"Host {name} is unknown.")
        else:
            reasons.append(f"Host {name} cannot take the instance: "
                           f"{filters.refusal(refusals, states[name], spec)}.")
    return " ".join(reasons)
