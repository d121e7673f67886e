"""A refusal in the words a page shows: the Chinese sentence and how to fix it, never an
API code or Python's text. The API keeps its problem details (type, field names); the
console and the buyer's pages read the same refusals through here."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from liveguard.cases import refusals
from liveguard.errors import LiveGuardError

_HAN = re.compile(r"[\u4e00-\u9fff]")

# pydantic's error types a form can meet, by the sentence of ``cases.refusal`` they read as
_PYDANTIC = {
    "string_too_short": "too_short",
    "too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "greater_than": "too_small",
    "greater_than_equal": "too_small",
    "less_than": "too_large",
    "less_than_equal": "too_large",
    "enum": "not_on_list",
    "literal_error": "not_on_list",
}


def chinese(text: str) -> bool:
    return bool(_HAN.search(text))


def _with_fix(message: str, fix: str) -> str:
    return f"{message}：{fix}" if fix and chinese(fix) else message


def _generic(code: str = "not_valid") -> str:
    return _with_fix(refusals.sentence(code), refusals.fix(code))


def said(error: LiveGuardError | ValueError) -> str:
    """The first thing refused, as a sentence with its fix; a generic Chinese sentence
    for a refusal that has no Chinese words (never the English detail)."""
    if isinstance(error, ValidationError):
        return pydantic_said(error.errors()[0]) if error.errors() else _generic()
    if isinstance(error, LiveGuardError):
        problem = error.problems[0] if error.problems else None
        message = problem.message if problem else error.detail
        fix = problem.fix if problem else ""
    else:
        message, fix = str(error), ""
    return _with_fix(message, fix) if chinese(message) else _generic()


def pydantic_said(error: Any) -> str:
    """One of pydantic's errors (a schema's own check carries Chinese words already)."""
    message = str(error.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if chinese(message):
        return message
    return _generic(_PYDANTIC.get(str(error.get("type")), "not_valid"))
