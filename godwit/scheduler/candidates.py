"""The cached hosts kept in weight order, so that a choice tests only the best few hosts.

Filtering every host and sorting the survivors costs O(hosts) per choice. The ranking
instead walks the hosts best-weighed first, tests the filters as it goes, and stops at the
number of passing hosts the choice needs: the same hosts, in the same order, as filtering
all of them and sorting by ``weighers.order`` would give (ties keep the cache's order).
Taking an instance lowers the chosen host's weight, so ``consume`` moves it down.

A host that fails the filters for a spec is remembered, and not tested again for an equal
spec until the cache re-reads the hosts and builds a new ranking: between reads a host
changes only by ``consume``, which adds a guest and takes resources, and that never makes
a filter of ``filters.ALL`` pass a host it failed for the same spec. (A filter that a choice
could make pass, an affinity filter say, would break this.) The host stays ranked for other
specs: a smaller instance may fit it. Without this, hosts that look best but cannot take
anything (out of cores with memory to spare, disabled, at their guest limit) would be
tested again by every choice.
"""
import bisect
import collections

from godwit.scheduler import weighers

# Spec keys that say which hosts to consider, not what the instance needs.
_NOT_FILTERED = ("ignore_hosts", "force_hosts")


class Ranking:

    def __init__(self, states):
        self.states = states
        self._positions = {id(host): position for position, host in enumerate(states)}
        # (-weight, position in the cache, host), ascending: best first, then cache order.
        self._entries = sorted(self._entry(host) for host in states)
        # What the filters read of a spec (as a string: values need not be hashable) ->
        # ids of the hosts that failed it.
        self._failed = collections.defaultdict(set)

    def _entry(self, host):
        return -weighers.free_memory(host), self._positions[id(host)], host

    def best(self, spec, filters, count, ignored=frozenset()):
        """Up to ``count`` hosts not named in ``ignored`` that pass every filter, best first.

        ``filters`` must be the same on every call: the failures remembered are theirs."""
        failed = self._failed[repr(sorted(item for item in spec.items()
                                          if item[0] not in _NOT_FILTERED))]
        found = []
        for _, _, host in self._entries:
            if len(found) == count:
                break
            if host.name in ignored or id(host) in failed:
                continue
            if all(check(host, spec) for check in filters):
                found.append(host)
            else:
                failed.add(id(host))
        return found

    def consume(self, host, spec):
        """Takes ``spec`` from ``host`` and moves the host to its new place."""
        del self._entries[bisect.bisect_left(self._entries, self._entry(host)[:2])]
        host.consume(spec)
        bisect.insort(self._entries, self._entry(host))
