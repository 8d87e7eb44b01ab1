"""The objects of a simulator's first start: a pool of hosts, their SRs, dom0s and templates."""
import os
import uuid

from godwit import seed
from godwit.virt.xenapi.simulator import storage

GIB = 1024 ** 3
SOFTWARE_VERSION = {"product_brand": "XenServer", "product_version": "8.2.1",
                    "platform_name": "XCP", "platform_version": "3.2.1", "xapi": "1.20"}
MEMORY_TOTAL = 16 * GIB
CPU_INFO = {"cpu_count": "8", "socket_count": "1", "vendor": "GenuineIntel", "speed": "2400.000",
            "modelname": "Simulated CPU", "family": "6", "model": "85", "stepping": "4",
            "flags": "fpu de tsc msr pae cx8 apic sep cmov pat clflush mmx fxsr sse sse2"}
DOM0_MEMORY = GIB


def _sr(store, state_dir, hosts, name_label, shared):
    """An SR whose directory is ``<state_dir>/sr/<sr uuid>``, plugged into ``hosts``."""
    sr_uuid = str(uuid.uuid4())
    path = os.path.join(state_dir, "sr", sr_uuid)
    os.makedirs(path, exist_ok=True)
    sr = store.create("SR", uuid=sr_uuid, name_label=name_label, shared=shared,
                      physical_size=str(100 * GIB))
    for host in hosts:
        store.create("PBD", host=host, SR=sr, device_config={"path": path})
    return sr


def _host(store, state_dir, name):
    metrics = store.create("host_metrics", memory_total=str(MEMORY_TOTAL))
    host = store.create("host", name_label=name, hostname=name, address="127.0.0.1",
                        metrics=metrics, software_version=dict(SOFTWARE_VERSION, hostname=name),
                        cpu_info=CPU_INFO)
    store.create("VM", name_label=f"Control domain on host: {name}", is_control_domain=True,
                 power_state="Running", resident_on=host, domid="0",
                 memory_static_max=str(DOM0_MEMORY), memory_dynamic_max=str(DOM0_MEMORY))
    return host, _sr(store, state_dir, [host], "Local storage", shared=False)


def _template(store, sr, image_uuid, name, min_disk_gb):
    """A template with the image's root disk, as an imported image would be."""
    vm = store.create("VM", name_label=name, is_a_template=True,
                      other_config={"godwit_image": image_uuid})
    vdi = storage.create_vdi(store, sr, f"{name} root", min_disk_gb * GIB)
    store.create("VBD", VM=vm, VDI=vdi, userdevice="0", bootable=True)


def bootstrap(store, state_dir, hosts):
    """A pool of ``hosts`` (the first is the master) with one template per seed image.

    Several hosts share an SR, where the templates go; a single host keeps them in its
    local SR.
    """
    host_refs, local_srs = zip(*(_host(store, state_dir, name) for name in hosts))
    if len(host_refs) > 1:
        default_sr = _sr(store, state_dir, host_refs, "Shared storage", shared=True)
    else:
        default_sr = local_srs[0]
    store.create("pool", master=host_refs[0], default_SR=default_sr)
    for image_uuid, name, _size, min_disk in seed.DEFAULT_IMAGES:
        _template(store, default_sr, image_uuid, name, min_disk)
