"""Reaching the real services the integration tests use, each test with its own namespace.

Absent services skip the test with a message saying how to start them, except under
GODWIT_REQUIRE_SERVICES=1 (CI), where absence fails the test.
"""
import os
import socket
import subprocess
import uuid

import pytest

START_COMMANDS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "MariaDB": "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
    "RabbitMQ": "rabbitmq-server -detached",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" '
             "--appendonly no",
}
PORTS = {"PostgreSQL": 5432, "MariaDB": 3306, "RabbitMQ": 5672, "Redis": 6379}


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(name):
    """Skips (or, under GODWIT_REQUIRE_SERVICES=1, fails) when ``name`` is not running."""
    if port_open(PORTS[name]):
        return
    message = (f"{name} is not running on 127.0.0.1:{PORTS[name]}; "
               f"start it with: {START_COMMANDS[name]}")
    if os.environ.get("GODWIT_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def unique_name(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def postgresql_database():
    """Creates an empty database; returns (url, drop function)."""
    import psycopg2
    require("PostgreSQL")
    name = unique_name("godwit")
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def drop():
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return f"postgresql+psycopg2://postgres@127.0.0.1/{name}", drop


def mysql_database():
    import pymysql
    require("MariaDB")
    name = unique_name("godwit")
    admin = pymysql.connect(host="127.0.0.1", user="root", password="", autocommit=True)
    admin.cursor().execute(f"CREATE DATABASE `{name}`")

    def drop():
        admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()
    return f"mysql+pymysql://root@127.0.0.1/{name}", drop


def rabbit_vhost():
    """A fresh RabbitMQ vhost (queues are named by topic, so tests must not share one)."""
    require("RabbitMQ")
    name = unique_name("godwit")

    def ctl(*args):
        subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                       timeout=60)
    ctl("add_vhost", name)
    ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    return f"rabbit://guest:guest@127.0.0.1:5672/{name}", lambda: ctl("delete_vhost", name)


def free_port():
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
