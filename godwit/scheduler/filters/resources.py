"""Filters on free capacity (allocation ratios are already applied in HostState)."""


def core_filter(host, spec):
    return host.free_vcpus >= spec["vcpus"]


def ram_filter(host, spec):
    return host.free_memory_mb >= spec["memory_mb"]


def disk_filter(host, spec):
    return host.free_disk_gb >= spec["disk_gb"]
