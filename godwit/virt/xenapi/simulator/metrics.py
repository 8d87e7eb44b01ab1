"""A host's free memory and load, computed from the VMs it runs whenever they are read.

XAPI's ``host_metrics.memory_free`` (bytes, a 64-bit integer: a string on the wire) is
the memory no domain holds. Here: ``memory_total`` minus the ``memory_dynamic_max`` of
every domain resident on the host, running or paused (dom0 included); never below 0.

XAPI's ``host.query_data_source(host, "loadavg")`` (a float) is dom0's load average. Here:
the number of vCPUs (``VCPUs_at_startup``) of the guests running on the host, as if each
vCPU were one always-runnable task; paused, suspended and halted guests add nothing, so an
idle host reports 0.0. Other data sources, and a host powered off, are refused as XAPI
refuses them when the host's statistics are not available.
"""
from godwit.virt.xenapi.simulator import errors, hostpower

LOAD_AVERAGE = "loadavg"


def _resident(store, host, states):
    """The records of the VMs on ``host`` in one of ``states``."""
    records = (store.get("VM", vm) for vm in store.find("VM", resident_on=host))
    return [record for record in records if record["power_state"] in states]


def memory_free(store, host):
    """Bytes of ``host`` (a reference) that no domain holds."""
    total = int(store.get("host_metrics", store.get("host", host)["metrics"])["memory_total"])
    used = sum(int(record["memory_dynamic_max"])
               for record in _resident(store, host, hostpower.LIVE))
    return max(total - used, 0)


def load_average(store, host):
    return float(sum(int(record["VCPUs_at_startup"])
                     for record in _resident(store, host, ("Running",))
                     if not record["is_control_domain"]))


def _metrics_record(store, metrics):
    """The host_metrics record, with the free memory of its host as of now."""
    record = store.get("host_metrics", metrics)
    hosts = store.find("host", metrics=metrics)
    if hosts:
        record["memory_free"] = str(memory_free(store, hosts[0]))
    return record


def get_record(call, metrics):
    return _metrics_record(call.store, metrics)


def get_all_records(call):
    return {ref: _metrics_record(call.store, ref) for ref in call.store.refs("host_metrics")}


def get_memory_free(call, metrics):
    return _metrics_record(call.store, metrics)["memory_free"]


def query_data_source(call, host, data_source):
    call.store.get("host", host)  # HANDLE_INVALID for a bad host
    hostpower.check_live(call.store, host)
    if data_source != LOAD_AVERAGE:
        raise errors.XapiError("INTERNAL_ERROR", f"no data source {data_source!r} on {host}")
    return load_average(call.store, host)


def methods():
    """Replaces the stored-field getters of ``generic`` for host_metrics."""
    return {"host_metrics.get_record": get_record,
            "host_metrics.get_all_records": get_all_records,
            "host_metrics.get_memory_free": get_memory_free,
            "host.query_data_source": query_data_source}
