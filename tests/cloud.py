"""Talking to a running godwit over HTTP, as a user would (used by functional and
integration tests)."""
import time
import uuid

import requests
import yaml


class Client:
    """HTTP client for one user, with the compute microversion set on every request."""

    def __init__(self, base_url, token, microversion="2.60"):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"X-Auth-Token": token,
                                     "OpenStack-API-Version": f"compute {microversion}"})

    def request(self, method, path, **kwargs):
        return self.session.request(method, self.base_url + path, timeout=30, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def create_server(self, name="vm", flavor="1", image=None, **extra):
        body = {"server": {"name": name, "flavorRef": flavor, "imageRef": image,
                           "networks": "none", **extra}}
        resp = self.post("/v2.1/servers", json=body)
        assert resp.status_code == 202, resp.text
        return resp.json()["server"]["id"]

    def wait_for_status(self, server_id, status, timeout=30):
        """Polls until the server has ``status`` ("DELETED" waits for a 404)."""
        deadline = time.monotonic() + timeout
        while True:
            resp = self.get(f"/v2.1/servers/{server_id}")
            if status == "DELETED" and resp.status_code == 404:
                return None
            server = resp.json().get("server", {})
            if server.get("status") == status:
                return server
            if time.monotonic() > deadline:
                raise AssertionError(f"server {server_id} is {server.get('status')} "
                                     f"({resp.status_code}), not {status}: {resp.text}")
            time.sleep(0.05)


def get_token(base_url, username, password, project_name):
    resp = requests.post(f"{base_url}/identity/v3/auth/tokens", timeout=30, json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": username, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project_name, "domain": {"name": "Default"}}}}})
    assert resp.status_code == 201, resp.text
    return resp.headers["X-Subject-Token"]


class Cloud:
    """A running cloud: its URL, its clouds.yaml, and clients for its users."""

    def __init__(self, base_url, clouds_yaml):
        self.base_url = base_url
        self.clouds_yaml = clouds_yaml
        with open(clouds_yaml) as stream:
            self.clouds = yaml.safe_load(stream)["clouds"]

    def client_for(self, cloud_name):
        auth = self.clouds[cloud_name]["auth"]
        return Client(self.base_url, get_token(self.base_url, auth["username"],
                                               auth["password"], auth["project_name"]))

    def admin(self):
        return self.client_for("godwit-admin")

    def demo(self):
        return self.client_for("godwit-demo")

    def new_member(self, role="member"):
        """A user with ``role`` in a new project of its own (isolates a test's servers)."""
        from godwit.identity import bootstrap
        name = f"p-{uuid.uuid4().hex[:10]}"
        bootstrap.create_project(name)
        bootstrap.create_user(name, "secret-" + name, name, role=role)
        return Client(self.base_url, get_token(self.base_url, name, "secret-" + name, name))

    def image_id(self, name="cirros-0.6.2"):
        images = self.demo().get("/image/v2/images").json()["images"]
        return next(image["id"] for image in images if image["name"] == name)
