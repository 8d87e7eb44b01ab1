"""Host filters: a host must pass every enabled filter to be chosen.

Each filter is a function ``(host_state, spec) -> bool`` registered under its name here,
named in ``[scheduler] enabled_filters``.

A filter must never start passing a host because the scheduler placed an instance on it
(``HostState.consume`` only takes resources away): the ranking remembers a host that failed
a spec and skips it for the same spec until the next cache refresh
(``godwit.scheduler.candidates``). An affinity-like filter would break that rule.
"""
from godwit.scheduler.filters import compute, guests, resources

ALL = {
    "ComputeFilter": compute.compute_filter,
    "ImagePropertiesFilter": compute.image_properties_filter,
    "CoreFilter": resources.core_filter,
    "RamFilter": resources.ram_filter,
    "DiskFilter": resources.disk_filter,
    "MaxGuestsFilter": guests.max_guests_filter,
}


def enabled(names):
    unknown = [name for name in names if name not in ALL]
    if unknown:
        raise ValueError(f"Unknown scheduler filters in [scheduler] enabled_filters: {unknown}")
    return [ALL[name] for name in names]
