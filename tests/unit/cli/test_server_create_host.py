"""`godwit server create --host`: the named host goes to the Compute API (2.74), and a
refusal is one clear error line."""
from openstack import exceptions as sdk_exc

from tests.unit.cli.conftest import assert_error_line, make_server, run, table_row

REFUSAL = ("No valid host was found. Host hv-2 cannot take the instance: not enough free "
           "RAM: 384 MiB free, 512 MiB needed.")


def test_create_on_a_named_host_sends_it(conn):
    conn.compute.timeline["srv-new"] = [make_server("srv-new", "web3", status="BUILD")]

    result = run("server", "create", "web3", "--flavor", "m1.small", "--image", "cirros",
                 "--host", "hv-2")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert conn.compute.created[0]["host"] == "hv-2"
    assert table_row(result.stdout, "status") == ["status", "BUILD"]


def test_create_without_a_host_sends_none(conn):
    conn.compute.timeline["srv-new"] = [make_server("srv-new", "web3", status="BUILD")]

    assert run("server", "create", "web3", "--flavor", "m1.small",
               "--image", "cirros").exit_code == 0
    assert "host" not in conn.compute.created[0]


def test_a_refused_host_is_one_error_line(conn, monkeypatch):
    def refuse(**attrs):
        raise sdk_exc.BadRequestException(message="Bad Request", details=REFUSAL,
                                           http_status=400)

    monkeypatch.setattr(conn.compute, "create_server", refuse)

    result = run("server", "create", "web3", "--flavor", "m1.small", "--image", "cirros",
                 "--host", "hv-2")  # fmt: skip

    assert_error_line(result, f"{REFUSAL} (HTTP 400)")
