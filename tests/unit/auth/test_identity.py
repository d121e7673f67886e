"""The identity adapter the buyer's pages use: the setting picks the default password
accounts or a platform's own factory, and anything else is refused with the fix."""

from __future__ import annotations

import pytest

from liveguard.auth.case_keys import clean_code
from liveguard.auth.identity import (
    ConsumerIdentity,
    PasswordIdentity,
    code_digest,
    identity_for,
    new_recovery_code,
    normalise_phone,
)
from liveguard.errors import InvalidInput


class _PlatformIdentity:
    def __init__(self, cipher: object) -> None:
        self.cipher = cipher

    def sign_up(self, **_: object) -> object: ...

    def sign_in(self, **_: object) -> int:
        return 1

    def recover(self, **_: object) -> int:
        return 1


def platform_identity(cipher: object) -> _PlatformIdentity:
    return _PlatformIdentity(cipher)


def test_the_default_setting_gives_liveguards_own_password_accounts() -> None:
    assert isinstance(identity_for("password", cipher=None), PasswordIdentity)  # type: ignore[arg-type]


def test_a_platform_names_its_own_factory_as_module_colon_name() -> None:
    adapter = identity_for(f"{__name__}:platform_identity", cipher=None)  # type: ignore[arg-type]
    assert isinstance(adapter, ConsumerIdentity) and isinstance(adapter, _PlatformIdentity)


def test_a_setting_that_names_no_factory_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"package\.module:factory"):
        identity_for("ldap", cipher=None)  # type: ignore[arg-type]


def test_recovery_codes_are_80_bits_in_groups_and_match_however_typed() -> None:
    code = new_recovery_code()
    assert len(code) == 19 and code.count("-") == 3
    assert code_digest(code) == code_digest(code.lower().replace("-", " "))
    assert new_recovery_code() != code


@pytest.mark.parametrize("typed", ["13812345678", "+86 138 1234 5678", "138-1234-5678"])
def test_a_mobile_number_is_read_as_people_write_it(typed: str) -> None:
    assert normalise_phone(typed) == "13812345678"


@pytest.mark.parametrize("typed", ["", "1381234567", "23812345678", "一三八"])
def test_a_wrong_mobile_number_is_told_in_chinese(typed: str) -> None:
    with pytest.raises(InvalidInput, match="11 位手机号"):
        normalise_phone(typed)


def test_a_tracking_code_is_found_however_she_types_it() -> None:
    assert clean_code("ts-abcd efgh-jklm") == clean_code("TS-ABCD-EFGH-JKLM") == "ABCDEFGHJKLM"
