"""Logins. Sessions live in memory only: after a restart the client gets SESSION_INVALID
and logs in again by itself, as it does when a real XAPI restarts."""
import threading

from godwit.virt.xenapi.simulator import errors, model

# Calls made before there is a session: the client sends no session reference with them.
WITHOUT_SESSION = {"session.login_with_password"}


class Sessions:
    def __init__(self, username, password):
        self._credentials = (username, password)
        self._refs = set()
        self._lock = threading.Lock()

    def login(self, username, password):
        if (username, password) != self._credentials:
            raise errors.XapiError("SESSION_AUTHENTICATION_FAILED", username,
                                   "Authentication failure")
        ref = model.new_ref()
        with self._lock:
            self._refs.add(ref)
        return ref

    def check(self, ref):
        if ref not in self._refs:
            raise errors.XapiError("SESSION_INVALID", ref)

    def logout(self, ref):
        with self._lock:
            self._refs.discard(ref)


def login_with_password(call, username, password, version="", originator=""):
    return call.sessions.login(username, password)


def logout(call):
    call.sessions.logout(call.session)


def get_this_host(call, session):
    call.sessions.check(session)
    return call.host()


def methods():
    return {"session.login_with_password": login_with_password,
            "session.logout": logout,
            "session.get_this_host": get_this_host}
