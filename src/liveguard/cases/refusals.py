"""A refused case request in the words people read: the sentence (``cases.refusal``) and
how to fix it (``cases.fix``) from labels.yaml, in Chinese; the problem's type and field
stay the API's codes. No web imports."""

from __future__ import annotations

from liveguard import labels
from liveguard.errors import Conflict, InvalidInput


def sentence(code: str, **slots: object) -> str:
    return labels.say("cases.refusal", code, **slots)


def fix(code: str, **slots: object) -> str:
    return labels.say("cases.fix", code, **slots)


def invalid(field: str, code: str, **slots: object) -> InvalidInput:
    """Input refused: ``field`` is the API's field name, the words are the person's."""
    return InvalidInput(field, sentence(code, **slots), fix(code, **slots))


def conflict(field: str, code: str, **slots: object) -> Conflict:
    """Refused by the case's state, ``field`` naming what the person would change."""
    return Conflict(sentence(code, **slots), field_name=field, fix=fix(code, **slots))
