"""One catalogue of the words people read for LiveGuard's internal codes.

Statuses, roles, remedies, categories, workflow steps, channels and severities are stored
as short English codes (``with_merchant``, ``return_refund``); pages, answer texts, the
CLI and exports show them through this catalogue, Chinese first and English second, so a
person never reads a bare code. The words are data (``data/labels.yaml``), checked on
load: every member of every ``StrEnum`` a page can show must have its Chinese words
(``tests/unit/test_labels.py``).

A kind is named by the package that owns the enum and the enum's class name
(``cases.CaseState``, ``vocab.Severity``), so two enums of one name in two packages
(``trade.PromiseKind``, ``liability.PromiseKind``) keep their own words. Codes that are
not enum members (product categories, rule ids) use a kind of the same form
(``catalog.category``).
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import Literal

from pydantic import Field

from liveguard import datafiles
from liveguard.datafiles import Strict

Lang = Literal["zh", "en"]


class Words(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class LabelsFile(Strict):
    kinds: dict[str, dict[str, Words]]


@cache
def catalogue() -> LabelsFile:
    return datafiles.load("liveguard", "labels.yaml", LabelsFile)


def kind_of(member: Enum) -> str:
    """``cases.CaseState`` for ``liveguard.cases.enums.CaseState``; ``vocab.Severity``."""
    parts = type(member).__module__.split(".")
    owner = parts[1] if len(parts) > 1 else parts[0]
    return f"{owner}.{type(member).__name__}"


def words(kind: str, code: str) -> Words | None:
    return catalogue().kinds.get(kind, {}).get(code)


def label(value: object, kind: str | None = None, lang: Lang = "zh") -> str:
    """The words for ``value`` (an enum member, or a code of ``kind``); the code itself
    only when the catalogue has none (the completeness test keeps that from a page)."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        kind = kind or kind_of(value)
        code = str(value.value)
    else:
        code = str(value)
    if kind is None:
        return code
    found = words(kind, code)
    if found is None:
        return code
    return found.zh if lang == "zh" else found.en


def both(value: object, kind: str | None = None) -> str:
    """``已转商家处理 With merchant``: Chinese first, English second, for staff pages."""
    zh, en = label(value, kind, "zh"), label(value, kind, "en")
    return zh if zh == en else f"{zh} {en}"


def say(kind: str, code: str, lang: Lang = "zh", /, **slots: object) -> str:
    """A sentence of ``kind`` (``cli.verify``) in ``lang``, its ``{slots}`` filled in.
    An unknown sentence is a programming error, so it raises rather than show a code."""
    found = words(kind, code)
    if found is None:
        raise KeyError(f"labels.yaml has no sentence {kind}.{code}")
    return (found.zh if lang == "zh" else found.en).format(**slots)


def language(value: str | None) -> Lang:
    """``zh`` unless ``value`` (``--lang``, ``LIVEGUARD_LANG``) says ``en``; ValueError
    names anything else."""
    chosen = (value or "zh").strip().lower()
    if chosen not in ("zh", "en"):
        raise ValueError(chosen)
    return "en" if chosen == "en" else "zh"
