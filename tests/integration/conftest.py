"""A distributed godwit: separate processes over real RabbitMQ and PostgreSQL.

Each test module gets its own PostgreSQL database and RabbitMQ vhost.
"""
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests

from tests import services
from tests.cloud import Client, Cloud, get_token

BIN = os.path.dirname(sys.executable)
COMPUTE_HOSTS = ("hv-1", "hv-2")


class Deployment:
    """Config file, processes and logs of one distributed cloud.

    ``extra_config`` is appended to the config file (whole sections, e.g. ``[compute]``;
    not ``[DEFAULT]``, ``[database]``, ``[api]`` or ``[scheduler]``, which it already has;
    a second ``[compute]`` section adds to the first).

    The compute hosts register themselves Enabled, in no cluster (``enable_new_hosts``):
    these tests are about processes, messaging and migrations, so the hosts must take
    work as soon as they are up, as in the all-in-one. What a Disabled host, cluster, pod
    or zone does to scheduling is tested in tests/functional and tests/unit/scheduler.
    """

    def __init__(self, workdir, database_url, transport_url, extra_config=""):
        self.workdir = workdir
        self.port = services.free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.config = os.path.join(workdir, "godwit.conf")
        with open(self.config, "w") as conf:
            conf.write(f"""[DEFAULT]
transport_url = {transport_url}
report_interval = 1
service_down_time = 6
graceful_shutdown_timeout = 20
data_dir = {workdir}
[database]
connection = {database_url}
[api]
bind_host = 127.0.0.1
bind_port = {self.port}
public_endpoint = {self.base_url}
[scheduler]
# the best-weighed host, not a random one of the best 3: with 2 hosts, 4 boots in a row
# then spread over both (a random pick put all 4 on one host 1 time in 8)
host_subset_size = 1
[compute]
enable_new_hosts = true
""")
            conf.write(extra_config)
        self.processes = {}
        # the fake driver's hosts: <instances_path>/<host>/<instance uuid>/
        self.instances_path = os.path.join(workdir, "fake-hypervisors")

    def manage(self, *args):
        result = subprocess.run([os.path.join(BIN, "godwit-manage"), "--config-file",
                                 self.config, *args], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self, name, binary, *args):
        """Starts a process; a restarted one appends to the log of its earlier runs."""
        with open(os.path.join(self.workdir, f"{name}.log"), "a") as log:
            self.processes[name] = subprocess.Popen(
                [os.path.join(BIN, binary), "--config-file", self.config, *args],
                stdout=log, stderr=subprocess.STDOUT)

    def start_compute(self, host):
        self.start(host, "godwit-compute", "--host", host)

    def kill(self, name):
        """SIGKILL: the process gets no chance to finish anything."""
        process = self.processes.pop(name)
        process.kill()
        return process.wait(30)

    def stop(self, name, timeout=30):
        """SIGTERM, then the exit code (the process is killed if it does not stop)."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return None

    def new_member(self):
        """A client for a new user with the member role in a new project of its own."""
        name = f"p-{uuid.uuid4().hex[:10]}"
        self.manage("project", "create", name)
        self.manage("user", "create", name, "--password", "secret-" + name,
                    "--project", name, "--role", "member")
        return Client(self.base_url, get_token(self.base_url, name, "secret-" + name, name))

    def log(self, name):
        with open(os.path.join(self.workdir, f"{name}.log")) as stream:
            return stream.read()

    def wait_until_ready(self, admin_cloud, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                admin = admin_cloud.admin()
                hypervisors = admin.get("/v2.1/os-hypervisors/detail").json()["hypervisors"]
                if sorted(h["hypervisor_hostname"] for h in hypervisors
                          if h["state"] == "up") == list(COMPUTE_HOSTS):
                    return
            except (requests.ConnectionError, AssertionError, KeyError):
                pass
            time.sleep(0.5)
        raise AssertionError("the cloud did not come up: " + "\n".join(
            f"--- {name}\n{self.log(name)[-3000:]}" for name in ("api", *COMPUTE_HOSTS)))


@pytest.fixture(scope="module")
def deploy(tmp_path_factory):
    """Starts distributed clouds (``deploy(extra_config="")``), all stopped and dropped
    at the end of the module."""
    cleanups = []

    def start(extra_config=""):
        services.require("PostgreSQL")
        services.require("RabbitMQ")
        database_url, drop_database = services.postgresql_database()
        cleanups.append(drop_database)
        transport_url, drop_vhost = services.rabbit_vhost()
        cleanups.append(drop_vhost)
        deployment = Deployment(str(tmp_path_factory.mktemp("deploy")), database_url,
                                transport_url, extra_config)
        cleanups.append(lambda: [deployment.stop(name) for name in list(deployment.processes)])
        deployment.manage("db", "sync")
        deployment.manage("bootstrap", "--data-dir", deployment.workdir)
        deployment.start("api", "godwit-api")
        deployment.start("scheduler", "godwit-scheduler", "--host", "sched-1")
        for host in COMPUTE_HOSTS:
            deployment.start_compute(host)
        cloud = Cloud(deployment.base_url, os.path.join(deployment.workdir, "clouds.yaml"))
        deployment.wait_until_ready(cloud)
        deployment.cloud = cloud
        return deployment

    yield start
    for cleanup in reversed(cleanups):
        cleanup()


@pytest.fixture(scope="module")
def deployment(deploy):
    """The module's distributed cloud, with the default configuration."""
    return deploy()
