"""A distributed godwit: separate processes over real RabbitMQ and PostgreSQL.

Each test module gets its own PostgreSQL database and RabbitMQ vhost.
"""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests import services
from tests.cloud import Cloud

BIN = os.path.dirname(sys.executable)
COMPUTE_HOSTS = ("hv-1", "hv-2")


class Deployment:
    """Config file, processes and logs of one distributed cloud."""

    def __init__(self, workdir, database_url, transport_url):
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
""")
        self.processes = {}

    def manage(self, *args):
        result = subprocess.run([os.path.join(BIN, "godwit-manage"), "--config-file",
                                 self.config, *args], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self, name, binary, *args):
        log = open(os.path.join(self.workdir, f"{name}.log"), "w")
        self.processes[name] = subprocess.Popen(
            [os.path.join(BIN, binary), "--config-file", self.config, *args],
            stdout=log, stderr=subprocess.STDOUT)

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
def deployment(tmp_path_factory):
    services.require("PostgreSQL")
    services.require("RabbitMQ")
    database_url, drop_database = services.postgresql_database()
    transport_url, drop_vhost = services.rabbit_vhost()
    deployment = Deployment(str(tmp_path_factory.mktemp("deploy")), database_url,
                            transport_url)
    deployment.manage("db", "sync")
    deployment.manage("bootstrap", "--data-dir", deployment.workdir)
    deployment.start("api", "godwit-api")
    deployment.start("scheduler", "godwit-scheduler", "--host", "sched-1")
    for host in COMPUTE_HOSTS:
        deployment.start(host, "godwit-compute", "--host", host)
    cloud = Cloud(deployment.base_url, os.path.join(deployment.workdir, "clouds.yaml"))
    deployment.wait_until_ready(cloud)
    deployment.cloud = cloud
    yield deployment
    for name in list(deployment.processes):
        deployment.stop(name)
    drop_vhost()
    drop_database()
