"""Host filters: a host must pass every enabled filter to be chosen.

Each filter is a function ``(host_state, spec) -> bool`` registered under its name here,
named in ``[scheduler] enabled_filters``. Each also has a refusal: ``(host_state, spec) ->
str or None``, None exactly when the filter passes, otherwise why not, in words an operator
can act on. Refusals are only computed for a host the request names (a deploy on a named
host, a migration to one); choosing among all hosts tests the filters alone.

A filter must never start passing a host because the scheduler placed an instance on it
(``HostState.consume`` only takes resources away): the ranking remembers a host that failed
a spec and skips it for the same spec until the next cache refresh
(``godwit.scheduler.candidates``). An affinity-like filter would break that rule.
"""
from godwit.scheduler.filters import compute, guests, resources

ALL = {
    "ComputeFilter": compute.compute_filter,
    "AvailabilityZoneFilter": compute.availability_zone_filter,
    "ImagePropertiesFilter": compute.image_properties_filter,
    "CoreFilter": resources.core_filter,
    "RamFilter": resources.ram_filter,
    "DiskFilter": resources.disk_filter,
    "MaxGuestsFilter": guests.max_guests_filter,
}

REFUSALS = {
    "ComputeFilter": compute.compute_refusal,
    "AvailabilityZoneFilter": compute.availability_zone_refusal,
    "ImagePropertiesFilter": compute.image_properties_refusal,
    "CoreFilter": resources.core_refusal,
    "RamFilter": resources.ram_refusal,
    "DiskFilter": resources.disk_refusal,
    "MaxGuestsFilter": guests.max_guests_refusal,
}


def _check_known(names):
    unknown = [name for name in names if name not in ALL]
    if unknown:
        raise ValueError(f"Unknown scheduler filters in [scheduler] enabled_filters: {unknown}")


def enabled(names):
    _check_known(names)
    return [ALL[name] for name in names]


def enabled_refusals(names):
    """The refusals of the filters ``names``, in the same order."""
    _check_known(names)
    return [REFUSALS[name] for name in names]


def refusal(refusals, host, spec):
    """Why ``host`` fails the first of ``refusals`` that it fails, or None if it passes."""
    return next((reason for reason in (refuse(host, spec) for refuse in refusals) if reason),
                None)
