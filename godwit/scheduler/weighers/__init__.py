"""Host weighers: higher is better. Spreading by free memory is the default."""


def free_memory(host):
    return host.free_memory_mb


def order(hosts):
    return sorted(hosts, key=free_memory, reverse=True)
