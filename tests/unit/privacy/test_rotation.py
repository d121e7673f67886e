"""Rotating the field-encryption key without downtime: rows sealed under the old key stay
readable by a running process while they are re-encrypted in batches, new writes use the
new key, and the old key can be retired once no row needs it."""

from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from liveguard.db import Base, import_models
from liveguard.privacy import fields, rotation
from liveguard.privacy.fields import FieldCipher


def _legacy_token(key: bytes, plaintext: str, context: str) -> str:
    """A token as written before rotation existed: no key id."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def test_tokens_from_before_rotation_are_still_opened_by_the_original_key(tmp_path):
    cipher = FieldCipher.from_key_dir(tmp_path)
    old = _legacy_token(cipher.original_key, "13912345678", "consumer.phone")
    assert cipher.decrypt(old, context="consumer.phone") == "13912345678"


def test_a_running_process_reads_rows_sealed_by_a_key_rotated_elsewhere(tmp_path):
    running = FieldCipher.from_key_dir(tmp_path)
    before = running.encrypt("13912345678", context="consumer.phone")
    fields.rotate(tmp_path)
    elsewhere = FieldCipher.from_key_dir(tmp_path)  # the CLI's re-encryption, say
    after = elsewhere.encrypt("13800001111", context="consumer.phone")
    assert elsewhere.current_key_id != running.current_key_id
    assert running.decrypt(after, context="consumer.phone") == "13800001111"  # reloads
    assert elsewhere.decrypt(before, context="consumer.phone") == "13912345678"
    assert running.current_key_id == elsewhere.current_key_id  # now writes with the new key


@pytest.fixture
def database(tmp_path):
    import_models()
    engine = create_engine(f"sqlite:///{tmp_path / 'rotation.db'}")
    Base.metadata.create_all(engine)
    return engine


def test_every_encrypted_column_in_the_schema_is_in_the_rotation_list():
    import_models()
    encrypted = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc")
    }
    assert encrypted == {(t, c) for t, c, _ in rotation.ENCRYPTED_COLUMNS}


def test_reencryption_moves_every_row_to_the_new_key_in_batches(tmp_path, database):
    keys = tmp_path / "keys"
    cipher = FieldCipher.from_key_dir(keys)
    phones = [f"1391234{n:04d}" for n in range(7)]
    with Session(database) as session:
        for n, phone in enumerate(phones):
            token = (
                _legacy_token(cipher.original_key, phone, "consumer.phone")
                if n % 2
                else cipher.encrypt(phone, context="consumer.phone")
            )
            session.execute(
                text(
                    "INSERT INTO consumers (nickname, phone_enc, phone_index, phone_masked, "
                    "created_at, updated_at) VALUES ('n', :enc, :ix, 'm', "
                    "'2026-11-23 00:00:00', '2026-11-23 00:00:00')"
                ),
                {"enc": token, "ix": f"ix{n}"},
            )
        session.commit()
        old_id = cipher.current_key_id
        fields.rotate(keys)
        cipher.reload()
        assert cipher.current_key_id != old_id
        first = rotation.reencrypt_batch(db_session=session, cipher=cipher, batch=3)
        session.commit()
        assert first == 3
        # half-way: old and new tokens side by side, every one readable
        tokens = session.scalars(text("SELECT phone_enc FROM consumers ORDER BY id")).all()
        assert [cipher.decrypt(t, context="consumer.phone") for t in tokens] == phones
        while rotation.reencrypt_batch(db_session=session, cipher=cipher, batch=3):
            session.commit()
        used, total = rotation.key_ids_in_use(db_session=session)
        assert used == {cipher.current_key_id} and total == len(phones)
        removed = fields.retire(keys, keep=used)
        assert old_id in removed
        fresh = FieldCipher.from_key_dir(keys)
        tokens = session.scalars(select(text("phone_enc")).select_from(text("consumers"))).all()
        assert sorted(fresh.decrypt(t, context="consumer.phone") for t in tokens) == phones


def test_a_complaints_words_as_typed_are_re_encrypted_with_the_personal_fields(tmp_path, database):
    keys = tmp_path / "keys"
    cipher = FieldCipher.from_key_dir(keys)
    typed = "商家答复：已按 13912345678 联系买家"
    with Session(database) as session:
        session.execute(
            text(
                "INSERT INTO case_events (case_id, kind, actor, party_role, text, text_enc, "
                "data, at, ledger_seq) VALUES (1, 'note', 'merchant:1', 'merchant', :masked, "
                ":enc, '{}', '2026-11-23 00:00:00', 1)"
            ),
            {
                "masked": "商家答复：已按 139****5678 联系买家",
                "enc": cipher.encrypt(typed, context="case_event.text"),
            },
        )
        session.commit()
        fields.rotate(keys)
        cipher.reload()
        assert rotation.reencrypt_batch(db_session=session, cipher=cipher) == 1
        session.commit()
        token = session.scalars(text("SELECT text_enc FROM case_events")).one()
        assert fields.token_key_id(token) == cipher.current_key_id
        assert cipher.decrypt(token, context="case_event.text") == typed


def test_text_stored_before_masking_is_masked_and_its_original_sealed(tmp_path, database):
    cipher = FieldCipher.from_key_dir(tmp_path / "keys")
    typed = "我的手机 13912345678，请联系我"
    insert = text(
        "INSERT INTO case_events (case_id, kind, actor, party_role, text, data, at, ledger_seq) "
        "VALUES (1, 'note', 'consumer:1', 'consumer', :text, '{}', '2026-11-23 00:00:00', 1)"
    )
    with Session(database) as session:
        session.execute(insert, {"text": typed})
        session.execute(insert, {"text": "已收到，谢谢"})
        session.commit()
        after: dict[str, int] = {}
        while rotation.mask_typed_batch(db_session=session, cipher=cipher, after=after, batch=1):
            session.commit()
        rows = session.execute(text("SELECT text, text_enc FROM case_events ORDER BY id")).all()
    assert rows[0][0] == "我的手机 139****5678，请联系我"
    assert cipher.decrypt(rows[0][1], context="case_event.text") == typed
    assert rows[1] == ("已收到，谢谢", None)  # nothing personal: kept as typed, nothing sealed
