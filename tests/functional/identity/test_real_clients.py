"""keystoneauth1, openstacksdk and the openstack CLI against the identity API over HTTP.

These prove that unmodified clients accept our version documents, tokens and catalog.
"""
import json
import os
import pathlib
import subprocess
import sys

import openstack.config
import openstack.connection
import pytest
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic, v3

from godwit.api.identity import create_app
from godwit.conf import CONF
from godwit.identity import bootstrap
from godwit.service import WSGIService

PREFIX = "/identity"


def mounted(app):
    """Serves ``app`` under /identity as the API composer does (SCRIPT_NAME set)."""
    def dispatch(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PREFIX
        environ["PATH_INFO"] = path[len(PREFIX):]
        return app(environ, start_response)
    return dispatch


@pytest.fixture
def base_url(sqlite_db):
    server = WSGIService(mounted(create_app()), "127.0.0.1", 0, threads=4)
    server.start()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()
    server.wait()


def _password(auth_url, **kwargs):
    kwargs = {"username": "alice", "password": "pw", "project_name": "p1",
              "user_domain_name": "Default", "project_domain_name": "Default", **kwargs}
    return v3.Password(auth_url=auth_url, **kwargs)


@pytest.mark.parametrize("plugin, path", [(v3.Password, "/identity/v3"),
                                          (generic.Password, "/identity")])
def test_keystoneauth_gets_a_token_and_the_endpoints(users, base_url, plugin, path):
    auth = plugin(auth_url=base_url + path, username="alice", password="pw",
                  project_name="p1", user_domain_name="Default",
                  project_domain_name="Default")
    sess = ks_session.Session(auth=auth)
    assert sess.get_token()
    assert sess.get_endpoint(service_type="compute", interface="public") == f"{base_url}/v2.1"
    assert sess.get_endpoint(service_type="image", interface="internal") == f"{base_url}/image"
    assert sess.get_endpoint(service_type="identity",
                             interface="admin") == f"{base_url}/identity"
    access = auth.get_access(sess)
    assert (access.user_id, access.project_name) == (users["alice"].id, "p1")
    assert access.role_names == ["member"]
    assert sess.get_endpoint(service_type="compute", region_name="RegionOne")
    with pytest.raises(ks_exc.EndpointNotFound):
        sess.get_endpoint(service_type="compute", region_name="Elsewhere")


def test_keystoneauth_reports_a_wrong_password_as_unauthorized(users, base_url):
    sess = ks_session.Session(auth=_password(base_url + "/identity/v3", password="nope"))
    with pytest.raises(ks_exc.Unauthorized):
        sess.get_token()


@pytest.fixture
def clouds_yaml(base_url, tmp_path):
    CONF.set_override("public_endpoint", base_url, group="api")
    yield bootstrap.ensure_default_accounts(str(tmp_path))
    CONF.clear_override("public_endpoint", group="api")


def test_openstacksdk_uses_the_clouds_yaml_we_wrote(clouds_yaml):
    region = openstack.config.OpenStackConfig(config_files=[clouds_yaml]).get_one(
        cloud="godwit-admin")
    conn = openstack.connection.Connection(config=region)
    assert sorted(p.name for p in conn.identity.projects()) == ["admin", "demo"]
    assert conn.identity.get_user(conn.current_user_id).name == "admin"
    assert conn.identity.get_project(conn.current_project_id).name == "admin"
    assert conn.session.get_endpoint(service_type="compute").endswith("/v2.1")


def _openstack_cli(clouds_yaml, *args):
    executable = pathlib.Path(sys.executable).with_name("openstack")
    if not executable.exists():
        pytest.skip("python-openstackclient is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = clouds_yaml
    result = subprocess.run([str(executable), "--os-cloud", "godwit-demo", *args, "-f", "json"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_openstack_cli_issues_a_token_and_lists_projects(clouds_yaml):
    token = _openstack_cli(clouds_yaml, "token", "issue")
    assert token["project_id"] and token["user_id"] and token["id"]
    projects = _openstack_cli(clouds_yaml, "project", "list", "--my-projects")
    assert [p["Name"] for p in projects] == ["demo"]
