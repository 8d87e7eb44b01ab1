"""Password storage: salted PBKDF2-SHA256 (stdlib only).

A stored hash reads ``pbkdf2_sha256$<rounds>$<salt>$<digest>`` (salt and digest in
URL-safe base64), so raising ``[identity] password_hash_rounds`` leaves older hashes valid.
"""
import base64
import hashlib
import hmac
import secrets

from godwit.conf import CONF

ALGORITHM = "pbkdf2_sha256"
SALT_BYTES = 16


def _b64(raw):
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _derive(password, salt, rounds):
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, rounds)


def hash_password(password, rounds=None):
    rounds = rounds or CONF.identity.password_hash_rounds
    salt = secrets.token_bytes(SALT_BYTES)
    return f"{ALGORITHM}${rounds}${_b64(salt)}${_b64(_derive(password, salt, rounds))}"


def verify_password(password, stored):
    """Whether ``password`` matches ``stored``; a malformed ``stored`` never matches."""
    try:
        algorithm, rounds, salt, digest = stored.split("$")
        rounds = int(rounds)
        salt = base64.urlsafe_b64decode(salt)
        digest = base64.urlsafe_b64decode(digest)
    except ValueError:
        return False
    if algorithm != ALGORITHM or rounds < 1:
        return False
    return hmac.compare_digest(_derive(password, salt, rounds), digest)


def burn_time(password):
    """Spends as long as a real check, so an unknown user name is not revealed by timing."""
    _derive(password, b"\0" * SALT_BYTES, CONF.identity.password_hash_rounds)
