"""A refused request in the words people read. Each package keeps its refusals in
labels.yaml as two kinds of the same codes: ``<package>.refusal`` (what is wrong) and
``<package>.fix`` (what to do), Chinese for pages and answers, English beside them. The
problem's type and field stay the API's codes. No web imports."""

from __future__ import annotations

from liveguard import labels
from liveguard.errors import Conflict, Forbidden, InvalidInput


def sentence(package: str, code: str, **slots: object) -> str:
    return labels.say(f"{package}.refusal", code, **slots)


def fix(package: str, code: str, **slots: object) -> str:
    """How to fix it; empty when the catalogue has no fix for the code."""
    if labels.words(f"{package}.fix", code) is None:
        return ""
    return labels.say(f"{package}.fix", code, **slots)


def invalid(package: str, field: str, code: str, **slots: object) -> InvalidInput:
    """Input refused: ``field`` is the API's field name, the words are the person's."""
    return InvalidInput(field, sentence(package, code, **slots), fix(package, code, **slots))


def conflict(package: str, field: str, code: str, **slots: object) -> Conflict:
    """Refused by the current state, ``field`` naming what the person would change."""
    return Conflict(
        sentence(package, code, **slots), field_name=field, fix=fix(package, code, **slots)
    )


def forbidden(package: str, code: str, **slots: object) -> Forbidden:
    """Not allowed for this caller: the sentence and its fix in one detail, which the API's
    problem carries and a 403 page shows."""
    said, how = sentence(package, code, **slots), fix(package, code, **slots)
    return Forbidden(f"{said}：{how}" if how else said)
