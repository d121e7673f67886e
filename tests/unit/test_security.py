"""Passwords, encrypted personal fields with their blind index, and key files."""

import os
import stat

import pytest
from cryptography.exceptions import InvalidTag

from liveguard.auth.passwords import hash_password, verify_password
from liveguard.keystore import load_or_create_key
from liveguard.privacy.fields import FieldCipher

PASSWORD = "correct horse battery staple"
ID_NUMBER = "11010519491231002X"
CONTEXT = "anchor.id_number"


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


# --- encrypted fields ------------------------------------------------------------------


@pytest.fixture
def cipher():
    return FieldCipher(encryption_key=os.urandom(32), index_key=os.urandom(32))


def test_an_encrypted_field_round_trips(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    assert cipher.decrypt(token, context=CONTEXT) == ID_NUMBER


def test_a_non_ascii_field_round_trips(cipher):
    token = cipher.encrypt("王小明", context="anchor.real_name")
    assert cipher.decrypt(token, context="anchor.real_name") == "王小明"


def test_the_ciphertext_does_not_reveal_the_plaintext(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    assert ID_NUMBER not in token
    assert ID_NUMBER.encode().hex() not in token


def test_encrypting_twice_gives_different_ciphertexts(cipher):
    assert cipher.encrypt(ID_NUMBER, context=CONTEXT) != cipher.encrypt(ID_NUMBER, context=CONTEXT)


def test_a_ciphertext_moved_to_another_context_does_not_decrypt(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    with pytest.raises(InvalidTag):
        cipher.decrypt(token, context="merchant.legal_representative_id")


def test_a_ciphertext_does_not_decrypt_with_another_key(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    other = FieldCipher(encryption_key=os.urandom(32), index_key=cipher.index_key)
    with pytest.raises(InvalidTag):
        other.decrypt(token, context=CONTEXT)


def test_a_tampered_ciphertext_does_not_decrypt(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    position = len(token) // 2
    flipped = "A" if token[position] != "A" else "B"
    with pytest.raises(InvalidTag):
        cipher.decrypt(token[:position] + flipped + token[position + 1 :], context=CONTEXT)


def test_the_blind_index_is_deterministic(cipher):
    assert cipher.blind_index(ID_NUMBER, context=CONTEXT) == cipher.blind_index(
        ID_NUMBER, context=CONTEXT
    )


def test_the_blind_index_differs_between_values(cipher):
    assert cipher.blind_index(ID_NUMBER, context=CONTEXT) != cipher.blind_index(
        "110105194912310018", context=CONTEXT
    )


def test_the_blind_index_is_separated_by_context(cipher):
    assert cipher.blind_index(ID_NUMBER, context=CONTEXT) != cipher.blind_index(
        ID_NUMBER, context="merchant.contact_phone"
    )


def test_the_blind_index_depends_on_the_index_key(cipher):
    other = FieldCipher(encryption_key=cipher.encryption_key, index_key=os.urandom(32))
    assert cipher.blind_index(ID_NUMBER, context=CONTEXT) != other.blind_index(
        ID_NUMBER, context=CONTEXT
    )


def test_the_blind_index_is_a_sha256_hex_digest_without_the_value(cipher):
    index = cipher.blind_index(ID_NUMBER, context=CONTEXT)
    assert len(index) == 64
    assert set(index) <= set("0123456789abcdef")


def test_a_cipher_from_a_key_directory_reuses_its_keys(tmp_path):
    first = FieldCipher.from_key_dir(tmp_path / "keys")
    token = first.encrypt(ID_NUMBER, context=CONTEXT)
    second = FieldCipher.from_key_dir(tmp_path / "keys")
    assert second.decrypt(token, context=CONTEXT) == ID_NUMBER
    assert second.blind_index(ID_NUMBER, context=CONTEXT) == first.blind_index(
        ID_NUMBER, context=CONTEXT
    )


def test_a_cipher_from_a_key_directory_uses_separate_keys(tmp_path):
    cipher = FieldCipher.from_key_dir(tmp_path)
    assert cipher.encryption_key != cipher.index_key
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "field-encryption.key",
        "field-index.key",
    ]


# --- key files -------------------------------------------------------------------------


def test_a_new_key_file_is_created_owner_only(tmp_path):
    path = tmp_path / "secret.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_file_is_created_in_a_missing_directory(tmp_path):
    path = tmp_path / "a" / "b" / "secret.key"
    assert load_or_create_key(path) == path.read_bytes()


def test_a_key_file_is_reused_on_the_second_load(tmp_path):
    path = tmp_path / "secret.key"
    assert load_or_create_key(path) == load_or_create_key(path)


def test_two_key_files_hold_different_keys(tmp_path):
    assert load_or_create_key(tmp_path / "a.key") != load_or_create_key(tmp_path / "b.key")


def test_a_key_of_another_size_can_be_asked_for(tmp_path):
    assert len(load_or_create_key(tmp_path / "small.key", size=16)) == 16


@pytest.mark.parametrize("size", [0, 31, 33])
def test_a_key_file_of_the_wrong_size_is_refused(tmp_path, size):
    path = tmp_path / "secret.key"
    path.write_bytes(b"k" * size)
    with pytest.raises(ValueError, match=rf"holds {size} bytes, expected 32"):
        load_or_create_key(path)


def _lose_the_race(monkeypatch, winner_key):
    """Make another process publish its key file just before ours is linked into place."""
    real_link = os.link

    def racing_link(source, target):
        with open(target, "wb") as handle:
            handle.write(winner_key)
        return real_link(source, target)

    monkeypatch.setattr(os, "link", racing_link)


def test_a_process_that_loses_the_creation_race_uses_the_winners_key(tmp_path, monkeypatch):
    winner = b"w" * 32
    _lose_the_race(monkeypatch, winner)
    assert load_or_create_key(tmp_path / "secret.key") == winner
    assert load_or_create_key(tmp_path / "secret.key") == winner


def test_creating_a_key_leaves_no_temporary_files(tmp_path, monkeypatch):
    _lose_the_race(monkeypatch, b"w" * 32)
    load_or_create_key(tmp_path / "a.key")
    monkeypatch.undo()
    load_or_create_key(tmp_path / "b.key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.key", "b.key"]
