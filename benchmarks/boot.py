"""Boot throughput of a running all-in-one (fake driver), end to end through the HTTP API.

Starts ``godwit-aio`` with 50 fake hosts as a separate process, boots N servers with C
concurrent requests, and prints boots/s and p50/p95 seconds from request to ACTIVE.

    python benchmarks/boot.py --transport memory     # kombu+memory (one process)
    python benchmarks/boot.py --transport rabbit     # RabbitMQ on 127.0.0.1:5672

Baseline: the issue's target of 50 boots/s with 100 concurrent requests on 50 hosts
(for scale, Nova sustains about 1.5-2 boots/s end to end on a 196-host cloud).
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tests import services  # noqa: E402
from tests.cloud import Cloud  # noqa: E402

TARGET_BOOTS_PER_SECOND = 50.0
BIN = os.path.dirname(sys.executable)


def bench_config(transport_url, extra_conf=""):
    """The benchmarks' config: fake hosts (``godwit-aio`` would otherwise simulate
    XenServers), unlimited quota, 16 API threads, 4 executor threads per process;
    ``extra_conf`` (whole sections) is appended."""
    return (f"[DEFAULT]\ntransport_url = {transport_url}\n"
            "executor_thread_pool_size = 4\n"
            "[compute]\ncompute_driver = fake\n"
            "[quota]\ninstances = -1\ncores = -1\nram = -1\n"
            "[api]\nthreads = 16\n" + extra_conf)


def wait_for_hypervisors(base_url, clouds_yaml, hosts, failed, what, ready=None,
                         timeout=120):
    """Polls until the API lists ``hosts`` hypervisors and ``ready()`` (if given) is true;
    returns a Cloud. ``failed()`` returns why to give up (a process exited) or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reason = failed()
        if reason:
            raise SystemExit(reason)
        try:
            cloud = Cloud(base_url, clouds_yaml)
            if (len(cloud.admin().get("/v2.1/os-hypervisors").json()["hypervisors"]) == hosts
                    and (ready is None or ready())):
                return cloud
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.5)
    raise SystemExit(f"{what} did not come up in {timeout} s")


def start_aio(workdir, hosts, transport_url, extra_conf=""):
    """Starts godwit-aio with unlimited quota; ``extra_conf`` is appended to its config."""
    port = services.free_port()
    config = os.path.join(workdir, "godwit.conf")
    with open(config, "w") as conf:
        conf.write(bench_config(transport_url, extra_conf))
    log = open(os.path.join(workdir, "aio.log"), "w")
    process = subprocess.Popen(
        [os.path.join(BIN, "godwit-aio"), "--config-file", config, "--data-dir", workdir,
         "--port", str(port), "--hosts", str(hosts)], stdout=log, stderr=subprocess.STDOUT)

    def failed():
        return f"godwit-aio exited; see {workdir}/aio.log" if process.poll() is not None else None

    cloud = wait_for_hypervisors(f"http://127.0.0.1:{port}", os.path.join(workdir, "clouds.yaml"),
                                 hosts, failed, "godwit-aio")
    return process, cloud


class SettledWatcher(threading.Thread):
    """Records when each created server first stops being in BUILD.

    Polls the cheap ``GET /servers?status=BUILD`` list (as a dashboard would) rather than
    every server, so the watcher itself adds little load to what is measured.
    """

    def __init__(self, client, started, expected):
        super().__init__(daemon=True)
        self.client = client
        self.started = started
        self.expected = expected
        self.settled = {}

    def run(self):
        deadline = time.monotonic() + 600
        while len(self.settled) < self.expected and time.monotonic() < deadline:
            building = {s["id"] for s in self.client.get(
                "/v2.1/servers?status=BUILD&limit=1000").json()["servers"]}
            now = time.monotonic()
            for server_id in list(self.started):
                if server_id not in building and server_id not in self.settled:
                    self.settled[server_id] = now
            time.sleep(0.1)


def boot_all(cloud, count, concurrency):
    client = cloud.admin()
    image = cloud.image_id()
    started = {}
    watcher = SettledWatcher(client, started, count)

    def boot(index):
        begin = time.monotonic()
        server_id = client.create_server(f"bench-{index}", flavor="1", image=image)
        started[server_id] = begin

    watcher.start()
    t0 = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(boot, range(count)))
    watcher.join()
    elapsed = max(watcher.settled.values()) - t0
    latencies = sorted(watcher.settled[i] - started[i] for i in watcher.settled)
    errors = len(client.get("/v2.1/servers?status=ERROR&limit=1000").json()["servers"])
    return elapsed, latencies, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["memory", "rabbit"], default="memory")
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="godwit-bench-")
    drop_vhost = None
    if args.transport == "rabbit":
        transport_url, drop_vhost = services.rabbit_vhost()
    else:
        transport_url = "kombu+memory:////"
    process, cloud = start_aio(workdir, args.hosts, transport_url)
    try:
        elapsed, latencies, errors = boot_all(cloud, args.servers, args.concurrency)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        if drop_vhost:
            drop_vhost()
        shutil.rmtree(workdir, ignore_errors=True)
    rate = len(latencies) / elapsed
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"transport={args.transport} hosts={args.hosts} servers={args.servers} "
          f"concurrency={args.concurrency} errors={errors}")
    print(f"boots/s: {rate:.1f} (target {TARGET_BOOTS_PER_SECOND:.0f}: "
          f"{rate / TARGET_BOOTS_PER_SECOND:.2f}x)")
    print(f"request-to-ACTIVE seconds: p50 {p50:.2f}  p95 {p95:.2f}")


if __name__ == "__main__":
    main()
