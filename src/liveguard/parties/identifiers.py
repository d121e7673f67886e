"""Chinese identifiers: the unified social credit code and the resident ID number.

Pure functions, no I/O. Each validator returns the normalised value or raises
``ValueError`` with a message a person can act on.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from liveguard.clock import Clock

# GB 32100-2015, 统一社会信用代码: 31 characters, the letters I, O, Z, S, V left out.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11643-1999, 公民身份号码: weights 2^(i) mod 11 for positions 18..2, check table.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def _normalise(value: str) -> str:
    """Full-width characters (typed with a Chinese input method) become ASCII, upper case."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def uscc_check_char(body: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    if len(body) != 17:
        raise ValueError("the code body must be 17 characters")
    try:
        total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    except ValueError:
        raise ValueError("the code body has a character outside the GB 32100 alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Normalise and check a unified social credit code (GB 32100-2015)."""
    code = _normalise(value)
    if len(code) != 18:
        raise ValueError(
            f"a unified social credit code has 18 characters, this one has {len(code)}"
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValueError(
            f"characters {''.join(bad)!r} are not used in credit codes "
            "(only digits and capital letters except I, O, Z, S, V)"
        )
    if not code[2:8].isdigit():
        raise ValueError("characters 3-8 must be the six-digit administrative division code")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValueError(
            f"the check character is {code[17]!r} but GB 32100 gives {expected!r}: "
            "the code was probably mistyped"
        )
    return code


def id_check_char(body: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    if len(body) != 17 or not (body.isascii() and body.isdigit()):
        raise ValueError("the ID number body must be 17 digits")
    return ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """Normalise and check an 18-digit resident ID card number (GB 11643-1999)."""
    number = _normalise(value)
    if len(number) != 18:
        raise ValueError(f"a resident ID number has 18 characters, this one has {len(number)}")
    if not (number.isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise ValueError("an ID number is 17 digits followed by a digit or X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(f"digits 7-14 ({number[6:14]}) are not a valid date of birth") from None
    if born > (today or Clock().today()) or born.year < 1900:
        raise ValueError(f"the date of birth {born.isoformat()} is not plausible")
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValueError(
            f"the check character is {number[17]!r} but GB 11643 gives {expected!r}: "
            "the number was probably mistyped"
        )
    return number


def birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def mask(value: str, *, keep_start: int, keep_end: int, fill: str = "*") -> str:
    """Keep the ends of an identifier and hide the middle, keeping the length."""
    if len(value) <= keep_start + keep_end:
        return fill * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + fill * hidden + value[len(value) - keep_end :]


def mask_id_number(number: str) -> str:
    """``110105199003071234`` -> ``110***********1234``: region kept, birth date hidden."""
    return mask(number, keep_start=3, keep_end=4)


def mask_phone(phone: str) -> str:
    """``13812345678`` -> ``138****5678``, the form Chinese platforms use."""
    return mask(phone, keep_start=3, keep_end=4)


def mask_name(name: str) -> str:
    """A three-character name keeps its first character (the surname): ``X**``."""
    return name[:1] + "*" * (len(name) - 1) if name else name
