"""The cases package's refusals (``cases.refusal`` and ``cases.fix`` in labels.yaml),
through ``liveguard.refusals``."""

from __future__ import annotations

from liveguard import refusals
from liveguard.errors import Conflict, InvalidInput


def sentence(code: str, **slots: object) -> str:
    return refusals.sentence("cases", code, **slots)


def fix(code: str, **slots: object) -> str:
    return refusals.fix("cases", code, **slots)


def invalid(field: str, code: str, **slots: object) -> InvalidInput:
    return refusals.invalid("cases", field, code, **slots)


def conflict(field: str, code: str, **slots: object) -> Conflict:
    return refusals.conflict("cases", field, code, **slots)
