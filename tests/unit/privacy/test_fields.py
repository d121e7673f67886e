"""Encrypted personal fields with their blind index."""

import os

import pytest
from cryptography.exceptions import InvalidTag

from liveguard.privacy.fields import FieldCipher

ID_NUMBER = "11010519491231002X"
CONTEXT = "anchor.id_number"


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
    with pytest.raises(KeyError, match="not in the key ring"):
        other.decrypt(token, context=CONTEXT)
    relabelled = token.replace(cipher.current_key_id, other.current_key_id, 1)
    with pytest.raises(InvalidTag):  # naming the other key does not make it open
        other.decrypt(relabelled, context=CONTEXT)


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


# --- pseudonyms ------------------------------------------------------------------------


def test_a_pseudonym_is_stable_per_person_and_says_nothing_of_the_id(cipher):
    first = cipher.pseudonym("consumer", 42)
    assert first == cipher.pseudonym("consumer", 42)  # the same buyer in every export
    assert first != cipher.pseudonym("consumer", 43)
    assert first != cipher.pseudonym("anchor", 42)
    other = FieldCipher(encryption_key=cipher.encryption_key, index_key=os.urandom(32))
    assert other.pseudonym("consumer", 42) != first  # no way back without the index key
