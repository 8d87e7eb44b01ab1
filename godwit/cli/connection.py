"""The openstacksdk connection, opened only when a command needs it (so --help works offline)."""

import os
from functools import cached_property

import openstack
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from openstack.config import loader

from godwit.cli.errors import CliError


class CliContext:
    """What the top-level options give every command."""

    def __init__(self, cloud, fmt):
        self.cloud = cloud
        self.fmt = fmt

    @cached_property
    def conn(self):
        return make_connection(self.cloud)


def make_connection(cloud):
    """Connect to the cloud named in clouds.yaml (or from OS_* variables when none is named)."""
    try:
        return openstack.connect(cloud=cloud)
    except (sdk_exc.ConfigException, ks_exc.MissingRequiredOptions) as exc:
        raise CliError(f"{_problem(cloud, exc)} {_hint()}") from exc


def _problem(cloud, exc):
    if cloud is None:
        return "No cloud selected."
    return f"Cloud '{cloud}' could not be loaded: {exc}"


def _hint():
    env_file = os.environ.get("OS_CLIENT_CONFIG_FILE") or "$OS_CLIENT_CONFIG_FILE"
    dirs = dict.fromkeys(loader.CONFIG_SEARCH_PATH)
    places = [env_file] + [os.path.join(d, "clouds.yaml") for d in dirs]
    where = ", ".join(places)
    return f"Pass --os-cloud NAME or set OS_CLOUD; clouds.yaml is looked for in: {where}"
