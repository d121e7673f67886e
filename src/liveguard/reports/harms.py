"""The seven harms (S13): the mapping from LiveGuard's records to the consumer
association's seven types, read from ``data/harms.yaml``, and the pure functions that
sort one finding or one complaint. Counting is in ``analytics``."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import Field, model_validator

from liveguard import datafiles
from liveguard.legal import LegalBasis

DATA_FILE = "harms.yaml"
OTHER = "other"  # what matches no harm: counted, never dropped
OTHER_TITLE = "其他"


class Harm(datafiles.Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    title_zh: str
    description_zh: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class FactMatch(datafiles.Strict):
    fact: str
    value: str | bool
    harm: str


class Example(datafiles.Strict):
    category: str | None = None
    rule: str | None = None
    facts: dict[str, Any] | None = None
    summary: str | None = None
    harms: list[str]


class Mapping(datafiles.Strict):
    source: str
    harms: list[Harm] = Field(min_length=7, max_length=7)
    categories: dict[str, str]
    rules: dict[str, str]
    case_facts: list[FactMatch]
    terms: dict[str, list[str]]
    examples: list[Example] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_harms(self) -> Mapping:
        known = {h.id for h in self.harms}
        named = [
            *self.categories.values(),
            *self.rules.values(),
            *(m.harm for m in self.case_facts),
            *self.terms,
        ]
        unknown = sorted(set(named) - known)
        if unknown:
            raise ValueError(f"unknown harm ids {unknown}: use one of {sorted(known)}")
        return self

    def title(self, harm_id: str) -> str:
        """The harm's Chinese title ("其他" for what matches none)."""
        return next((h.title_zh for h in self.harms if h.id == harm_id), OTHER_TITLE)


@cache
def mapping() -> Mapping:
    """The shipped mapping, parsed once."""
    return datafiles.load("liveguard.reports", DATA_FILE, Mapping)


def of_finding(category: str, rule: str, *, table: Mapping | None = None) -> str:
    """The harm a finding falls under: its rule's if named, else its category's."""
    table = table or mapping()
    return table.rules.get(rule) or table.categories.get(category) or OTHER


def of_complaint(facts: dict[str, Any], summary: str, *, table: Mapping | None = None) -> list[str]:
    """Every harm a complaint shows, by its facts and by words in its summary."""
    table = table or mapping()
    found: list[str] = []
    for match in table.case_facts:
        value = facts.get(match.fact)
        if value is not None and value == match.value and match.harm not in found:
            found.append(match.harm)
    for harm, words in table.terms.items():
        if harm not in found and any(word in summary for word in words):
            found.append(harm)
    return found or [OTHER]


def example_harms(example: Example, table: Mapping) -> list[str]:
    """What the mapping gives for one of its own examples (the tests compare)."""
    if example.category is not None or example.rule is not None:
        return [of_finding(example.category or "", example.rule or "", table=table)]
    return of_complaint(example.facts or {}, example.summary or "", table=table)
