"""How a buyer gets in on her own: the ``ConsumerIdentity`` adapter and its default,
LiveGuard's own accounts (mobile number + password, hashed with scrypt like staff
passwords, and one-time recovery codes shown once at sign-up).

A platform that already knows its buyers plugs its own identity in instead: a class with
the three methods below, named in the setting ``consumer_identity`` as
``module:factory`` (docs/consumer_accounts.md). The console's sign-up, sign-in and
recovery pages call only this protocol. No web imports.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.auth.models import ConsumerPassword, RecoveryCode
from liveguard.auth.passwords import hash_password, verify_password
from liveguard.auth.service import _dummy_hash
from liveguard.errors import InvalidInput, NotAuthenticated
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import ConsumerCreate
from liveguard.privacy.fields import FieldCipher

RECOVERY_CODES = 8
MIN_PASSWORD = 8
# The one refusal for every failed sign-in or recovery: it never tells which numbers exist.
WRONG = "手机号或密码不对 Wrong mobile number or password"
WRONG_CODE = "手机号或恢复码不对，或恢复码已用过 Wrong number, or the code is wrong or used"


@dataclass(frozen=True)
class SignedUp:
    """A new buyer: her id, and what she must keep (shown once, never stored in clear)."""

    consumer_id: int
    recovery_codes: list[str]


@runtime_checkable
class ConsumerIdentity(Protocol):
    """What the buyer's pages need from an identity provider."""

    def sign_up(
        self, *, db_session: Session, nickname: str, phone: str, password: str, now: datetime
    ) -> SignedUp: ...

    def sign_in(self, *, db_session: Session, phone: str, password: str, now: datetime) -> int: ...

    def recover(
        self,
        *,
        db_session: Session,
        phone: str,
        code: str,
        new_password: str,
        now: datetime,
    ) -> int: ...


def normalise_phone(phone: str) -> str:
    """The 11 digits of a mainland mobile number as typed; InvalidInput in Chinese if not."""
    digits = phone.strip().replace(" ", "").replace("-", "")
    digits = digits.removeprefix("+86")
    if not (len(digits) == 11 and digits.isdigit() and digits[0] == "1"):
        raise InvalidInput("phone", "请填写 11 位手机号，以 1 开头", "例如 13812345678")
    return digits


def check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(field, f"密码至少 {MIN_PASSWORD} 位", "换一个更长的密码")
    if len(password) > 200:
        raise InvalidInput(field, "密码太长（最多 200 位）", "换一个短一些的密码")


def new_recovery_code() -> str:
    """80 random bits as 16 base32 letters in groups of four: easy to copy, never guessed."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def code_digest(code: str) -> str:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(cleaned.encode()).hexdigest()


class PasswordIdentity:
    """The default: LiveGuard's own buyer accounts; needs no outside service."""

    def __init__(self, cipher: FieldCipher) -> None:
        self.cipher = cipher

    def sign_up(
        self, *, db_session: Session, nickname: str, phone: str, password: str, now: datetime
    ) -> SignedUp:
        phone = normalise_phone(phone)
        nickname = nickname.strip()
        if not nickname:
            raise InvalidInput("nickname", "请填写昵称", "别人看不到您的手机号，只看到昵称")
        if len(nickname) > 100:
            raise InvalidInput("nickname", "昵称太长（最多 100 字）", "换一个短一些的昵称")
        check_password(password)
        found = parties_service.get_consumer_by_phone(
            db_session=db_session, phone=phone, cipher=self.cipher
        )
        if found is not None and db_session.get(ConsumerPassword, found.id) is not None:
            raise InvalidInput(
                "phone", "这个手机号已经注册过", "请直接登录，忘了密码可用恢复码找回"
            )
        if found is not None:
            # Known from a platform or a staff filing: with no SMS check here, a password
            # set by whoever types the number would open her cases to them.
            raise InvalidInput(
                "phone",
                "这个手机号已有投诉记录，请用平台给您的令牌登录，或请客服为您开通",
                "用令牌登录，或不登录直接投诉",
            )
        try:
            consumer = parties_service.create_consumer(
                db_session=db_session,
                consumer_in=ConsumerCreate(nickname=nickname, phone=phone),
                cipher=self.cipher,
            )
        except ValidationError:
            raise InvalidInput("nickname", "昵称不能用", "换一个昵称") from None
        db_session.add(
            ConsumerPassword(
                consumer_id=consumer.id,
                password_hash=hash_password(password),
                created_at=now,
                changed_at=now,
            )
        )
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        db_session.add_all(
            RecoveryCode(consumer_id=consumer.id, code_hash=code_digest(c)) for c in codes
        )
        db_session.flush()
        return SignedUp(consumer.id, codes)

    def _account(self, db_session: Session, phone: str) -> ConsumerPassword | None:
        try:
            phone = normalise_phone(phone)
        except InvalidInput:
            return None
        consumer = parties_service.get_consumer_by_phone(
            db_session=db_session, phone=phone, cipher=self.cipher
        )
        return None if consumer is None else db_session.get(ConsumerPassword, consumer.id)

    def sign_in(self, *, db_session: Session, phone: str, password: str, now: datetime) -> int:
        account = self._account(db_session, phone)
        stored = account.password_hash if account is not None else _dummy_hash()
        if not verify_password(password, stored) or account is None:  # always one scrypt check
            raise NotAuthenticated(WRONG)
        return account.consumer_id

    def recover(
        self,
        *,
        db_session: Session,
        phone: str,
        code: str,
        new_password: str,
        now: datetime,
    ) -> int:
        check_password(new_password, "new_password")
        account = self._account(db_session, phone)
        used = None
        if account is not None:
            used = db_session.scalar(
                select(RecoveryCode).where(
                    RecoveryCode.consumer_id == account.consumer_id,
                    RecoveryCode.code_hash == code_digest(code),
                    RecoveryCode.used_at.is_(None),
                )
            )
        if account is None or used is None:
            raise NotAuthenticated(WRONG_CODE)
        used.used_at = now
        account.password_hash = hash_password(new_password)
        account.changed_at = now
        db_session.flush()
        return account.consumer_id


def recovery_codes_left(*, db_session: Session, consumer_id: int) -> int:
    """How many unused recovery codes she still holds (LiveGuard's own accounts)."""
    rows = db_session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.consumer_id == consumer_id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(list(rows))


def identity_for(setting: str, cipher: FieldCipher) -> ConsumerIdentity:
    """The adapter the setting names: ``password`` or ``package.module:factory``, where
    the factory is called with the field cipher and returns a ConsumerIdentity."""
    if setting == "password":
        return PasswordIdentity(cipher)
    module_name, _, attribute = setting.partition(":")
    if not attribute:
        raise ValueError(
            f"consumer_identity {setting!r}: write 'password' or 'package.module:factory'"
        )
    factory = getattr(importlib.import_module(module_name), attribute)
    adapter = factory(cipher)
    if not isinstance(adapter, ConsumerIdentity):
        raise ValueError(f"consumer_identity {setting!r} does not give a ConsumerIdentity")
    return adapter
