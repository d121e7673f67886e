"""Claims about numbers the room also reports ("最后三件", "已售10万", "原价399"), and the
traffic-sanity thresholds: loaded from ``data/claims.yaml`` into strict models."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import Field, field_validator

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis, chinese_numeral

_UNITS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "百": 100}


class Examples(Strict):
    positive: list[dict[str, Any]] = Field(min_length=1)
    negative: list[dict[str, Any]] = Field(min_length=1)


class ClaimRule(Strict):
    id: str = Field(pattern=r"^claim\.[a-z_]+$")
    compare: Literal["stock", "sales", "price_history"]
    when: Literal["actual_above", "claimed_above", "catalog_problem"]
    ratio: float = Field(default=1, gt=0)
    slack: int = Field(default=0, ge=0)
    unit: Literal["count", "yuan"] = "count"
    severity: Literal["low", "medium", "high", "critical"]
    category: str
    message: str
    patterns: list[str] = Field(min_length=1)
    legal_basis: list[LegalBasis] = Field(min_length=1)
    examples: Examples

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if "(?P<n>" not in pattern:
                raise ValueError(f"pattern {pattern!r} needs a group named n: the number")
            re.compile(pattern)
        return patterns

    def compiled(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.patterns]

    def contradicted(self, claimed: int, actual: int) -> bool:
        """Whether the reported number gives the lie to the claim (count rules only)."""
        if self.when == "actual_above":
            return actual > claimed * self.ratio + self.slack
        if self.when == "claimed_above":
            return claimed > actual * self.ratio + self.slack
        raise ValueError(f"{self.id} is judged by catalog's price check, not by numbers")


class ChangeRule(Strict):
    id: str
    severity: Literal["low", "medium", "high", "critical"]
    category: str
    message: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class TrafficRule(ChangeRule):
    window_seconds: int = Field(gt=0)
    min_viewers: int = Field(ge=0)
    viewers_per_interaction: float = Field(gt=0)
    likes_per_interaction: float = Field(gt=0)


class ClaimsFile(Strict):
    claims: list[ClaimRule] = Field(min_length=1)
    listing_change: ChangeRule
    traffic: TrafficRule


@cache
def rules() -> ClaimsFile:
    return datafiles.load("liveguard.live", "claims.yaml", ClaimsFile, strict=False)


def fold(text: str) -> str:
    """Full width to half width, upper to lower case: what the patterns are written for.
    NFKC keeps CJK characters one for one, so offsets still point into the original."""
    return unicodedata.normalize("NFKC", text).lower()


def number(text: str) -> int | None:
    """``10万`` -> 100000, ``1.5w`` -> 15000, ``三`` -> 3, ``100,000`` -> 100000."""
    text = text.replace(",", "").replace(" ", "")
    if not text:
        return None
    multiplier = 1
    if text[-1] in _UNITS and len(text) > 1 and text[:-1].replace(".", "").isdigit():
        multiplier, text = _UNITS[text[-1]], text[:-1]
    try:
        return int(float(text) * multiplier)
    except ValueError:
        pass
    try:
        head, _, tail = text.partition("万")  # chinese_numeral reads up to the thousands
        if not tail and not head:
            return None
        if _:
            return (chinese_numeral(head) if head else 1) * 10_000 + (
                chinese_numeral(tail) if tail else 0
            )
        return chinese_numeral(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Claim:
    rule: ClaimRule
    claimed: int
    start: int
    end: int
    quote: str


@cache
def _compiled() -> list[tuple[ClaimRule, list[re.Pattern[str]]]]:
    return [(rule, rule.compiled()) for rule in rules().claims]


def find(text: str) -> list[Claim]:
    """Every numeric claim in ``text``, first match per rule."""
    folded = fold(text)
    if len(folded) != len(text):  # offsets would drift: match but quote the folded text
        text = folded
    found = []
    for rule, patterns in _compiled():
        for pattern in patterns:
            match = pattern.search(folded)
            if match is None:
                continue
            claimed = number(match.group("n"))
            if claimed is not None:
                start, end = match.span()
                found.append(Claim(rule, claimed, start, end, text[start:end]))
                break
    return found
