from godwit.conf import CONF
from godwit.identity import passwords


def test_right_password_matches_and_wrong_one_does_not():
    stored = passwords.hash_password("correct horse")
    assert passwords.verify_password("correct horse", stored)
    assert not passwords.verify_password("correct horse ", stored)
    assert not passwords.verify_password("", stored)


def test_hash_is_salted_and_does_not_contain_the_password():
    first, second = passwords.hash_password("pw-123"), passwords.hash_password("pw-123")
    assert first != second
    assert "pw-123" not in first


def test_rounds_come_from_config_and_old_hashes_stay_valid():
    old = passwords.hash_password("pw")
    CONF.set_override("password_hash_rounds", 2000, group="identity")
    try:
        new = passwords.hash_password("pw")
    finally:
        CONF.clear_override("password_hash_rounds", group="identity")
    assert old.split("$")[:2] == ["pbkdf2_sha256", "1000"]
    assert new.split("$")[:2] == ["pbkdf2_sha256", "2000"]
    assert passwords.verify_password("pw", old)
    assert passwords.verify_password("pw", new)


def test_malformed_stored_hash_never_matches():
    for stored in ("", "plain", "md5$1000$c2FsdA==$ZGlnZXN0", "pbkdf2_sha256$x$a$b",
                   "pbkdf2_sha256$0$c2FsdA==$ZGlnZXN0", "pbkdf2_sha256$1000$!!$??"):
        assert not passwords.verify_password("pw", stored)
