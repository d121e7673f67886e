"""Passwords: scrypt hashes that verify, and nothing else."""

import pytest

from liveguard.auth.passwords import hash_password, verify_password

PASSWORD = "correct horse battery staple"


# --- passwords -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored():
    return hash_password(PASSWORD)


def test_a_password_verifies_against_its_hash(stored):
    assert verify_password(PASSWORD, stored)


def test_a_wrong_password_does_not_verify(stored):
    assert not verify_password("correct horse battery stapler", stored)
    assert not verify_password("", stored)


def test_the_stored_hash_never_contains_the_password(stored):
    assert PASSWORD not in stored
    assert PASSWORD.encode().hex() not in stored


def test_the_stored_hash_names_scrypt_and_its_parameters(stored):
    scheme, n, r, p, _salt, _digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")


def test_the_same_password_hashes_differently_each_time(stored):
    assert hash_password(PASSWORD) != stored


def test_a_non_ascii_password_round_trips():
    assert verify_password("直播电商密码", hash_password("直播电商密码"))
    assert not verify_password("直播电商密吗", hash_password("直播电商密码"))


@pytest.mark.parametrize("bad", ["", "not a hash", "bcrypt$16384$8$1$c2FsdA==$ZGlnZXN0"])
def test_a_stored_value_that_is_not_an_scrypt_hash_does_not_verify(bad):
    assert not verify_password(PASSWORD, bad)


def test_a_hash_with_another_scheme_name_does_not_verify(stored):
    assert not verify_password(PASSWORD, stored.replace("scrypt$", "md5$", 1))
