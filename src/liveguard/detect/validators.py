"""Checks a regex hit must also pass: a real mobile prefix, an ID checksum, a card's Luhn."""

from __future__ import annotations

import re

from liveguard.parties.identifiers import validate_id_number


def _digits(text: str) -> str:
    if text.isascii() and text.isdigit():  # most matches are plain digits: nothing to drop
        return text
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


# a letter o typed for a zero inside a digit run (18O 3426 7719; upper case is already
# lowered): a digit on one side, possibly through more o's; never an o of a word
_O_IN_DIGITS = re.compile(r"(?<=[0-9])o+(?=[0-9])|(?<=[0-9])o+$")


def _mobile_digits(text: str) -> str:
    if "o" not in text:  # most matches: no letter o to read as a zero
        return _digits(text)
    return _digits(_O_IN_DIGITS.sub(lambda m: "0" * len(m.group()), text))


def luhn(number: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(number)):
        value = int(ch)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


_HANDLE = re.compile(r"[a-z0-9_-]+$")
# a single-letter contact word (v for WeChat, q for QQ) glued to more letters: a word
_LATIN_WORD = re.compile(r"[vq](?![xq])[a-z]")


def handle(matched: str) -> bool:
    """An account name after a contact word: 6-30 characters with a digit or underscore, or
    plainly labelled (``wx: meilishop``) so an English word like wxwidgets is not one."""
    run = _HANDLE.search(matched)
    if run is None or not 6 <= len(run.group()) <= 30:
        return False
    if _LATIN_WORD.match(matched):
        return False  # "v" run into a word (vol 500ml, VIP888) is no contact word
    if any(ch.isdigit() or ch == "_" for ch in run.group()):
        return True
    return matched[: run.start()].rstrip().endswith((":", "是", "号", "为"))


def check(name: str, matched: str) -> bool:
    """Does ``matched`` (normalised text) pass validator ``name``?"""
    if name == "handle":
        return handle(matched)
    if name == "mobile":
        digits = _mobile_digits(matched)
        return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    if name == "luhn":
        digits = _digits(matched)
        return 16 <= len(digits) <= 19 and luhn(digits)
    if name == "gb11643":
        number = "".join(ch for ch in matched.upper() if ch.isdigit() or ch == "X")
        try:
            validate_id_number(number)
        except ValueError:
            return False
        return True
    raise ValueError(f"no validator named {name!r}")
