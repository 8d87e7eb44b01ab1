"""Starting a XAPI simulator and logging in to it with the real XenAPI client."""
import XenAPI

from godwit.virt.xenapi.simulator import Simulator

USER, PASSWORD = "root", "secret"


def start_simulator(state_dir, port=0, **options):
    return Simulator(str(state_dir), port, username=USER, password=PASSWORD,
                     **options).start()


def login(url):
    session = XenAPI.Session(url)
    session.login_with_password(USER, PASSWORD, "2.21", "godwit-tests")
    return session
