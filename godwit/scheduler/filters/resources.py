"""Filters on free capacity (allocation ratios are already applied in HostState)."""


def core_filter(host, spec):
    return host.free_vcpus >= spec["vcpus"]


def ram_filter(host, spec):
    return host.free_memory_mb >= spec["memory_mb"]


def disk_filter(host, spec):
    return host.free_disk_gb >= spec["disk_gb"]


def _shortage(what, free, needed, unit=""):
    free = int(free) if float(free).is_integer() else round(free, 1)
    return f"not enough free {what}: {free}{unit} free, {needed}{unit} needed"


def core_refusal(host, spec):
    return None if core_filter(host, spec) else \
        _shortage("vCPUs", host.free_vcpus, spec["vcpus"])


def ram_refusal(host, spec):
    return None if ram_filter(host, spec) else \
        _shortage("RAM", host.free_memory_mb, spec["memory_mb"], " MiB")


def disk_refusal(host, spec):
    return None if disk_filter(host, spec) else \
        _shortage("disk", host.free_disk_gb, spec["disk_gb"], " GiB")
