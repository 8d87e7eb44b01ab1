"""godwit-api: the HTTP APIs (compute, identity, image, admin) under waitress."""
from godwit import service
from godwit.cmd import common
from godwit.conf import CONF


def main():
    common.prepare()
    from godwit.api import app
    service.run([service.WSGIService(app.build_app(), CONF.api.bind_host, CONF.api.bind_port,
                                     CONF.api.threads)])
