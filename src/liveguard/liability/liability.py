"""Who is liable, and how: the rules in ``data/liability.yaml`` applied to ``CaseFacts``.

Each rule has an id, conditions on the facts (``conditions.py``), the roles it assigns
with the kind of liability, the articles it rests on (quoted, checked against the texts
in ``legal/``) and examples the tests run. A rule whose conditions are partly unknown
does not fire: its unknown facts become questions.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from liveguard import datafiles
from liveguard.legal import LegalBasis
from liveguard.liability import conditions
from liveguard.liability.conditions import Condition
from liveguard.liability.resolution import (
    CitedOnly,
    ClearedParty,
    LiabilityKind,
    LiableParty,
    Role,
    RuleRef,
)

M = TypeVar("M", bound=BaseModel)
LIABILITY_FILE = "liability.yaml"

# the roles that are "the seller" of a deal: others may be joint with them
SELLER_KINDS = (LiabilityKind.sole, LiabilityKind.as_seller)


class RuleFileError(datafiles.DataFileError):
    """A rule file that cannot be used; the message names the file and the entry."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_conditions(lines: list[str]) -> tuple[Condition, ...]:
    return tuple(conditions.parse(line) for line in lines)


class Assignment(Strict):
    """A role and its liability; ``joint`` is always joint with whoever is the seller."""

    role: Role
    liability: LiabilityKind


class LiabilityExample(Strict):
    facts: dict[str, Any]
    today: date | None = None
    fires: bool | None = True
    assigns: dict[Role, LiabilityKind] = Field(default_factory=dict)


class Rule(Strict):
    """What every liability and remedy rule has: an id, conditions, the law, examples."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    when: tuple[Condition, ...]
    optional: bool = Field(
        default=False,
        description="its unknown facts are asked as 'if so, tell us' (an allegation that adds "
        "a party or remedy), not as facts the answer waits on",
    )
    legal_basis: list[LegalBasis] = Field(default_factory=list)
    cited: list[CitedOnly] = Field(
        default_factory=list, description="old texts cited by name and article, not quoted"
    )
    explanation_zh: str

    @model_validator(mode="after")
    def _has_a_basis(self) -> Rule:
        if not self.legal_basis and not self.cited:
            raise ValueError(f"{self.id}: a rule needs a legal_basis (or a cited old text)")
        return self

    @field_validator("when", mode="before")
    @classmethod
    def _parse_when(cls, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(line, str) for line in value):
            return parse_conditions(value)
        return value

    @property
    def ref(self) -> RuleRef:
        return RuleRef(id=self.id, title=self.title, legal_basis=self.legal_basis, cited=self.cited)


class LiabilityRule(Rule):
    assigns: list[Assignment] = Field(default_factory=list)
    clears: list[Role] = Field(default_factory=list, description="roles not liable here")
    replaces: list[Role] = Field(
        default_factory=list, description="roles this rule's party stands in for"
    )
    examples: list[LiabilityExample] = Field(min_length=2)


class LiabilityFile(Strict):
    rules: list[LiabilityRule] = Field(min_length=1)


def load_data(name: str, model: type[M]) -> M:
    """Read ``data/<name>`` into ``model``; every problem, quotes included, in one error."""
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    parsed = datafiles.parse(text, name, model, error=RuleFileError)
    ids = [entry_id for entry_id, _ in _entries(parsed)]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise RuleFileError([f"{name}: duplicate id {i}" for i in duplicates])
    return parsed


def _entries(parsed: BaseModel) -> list[tuple[str, Any]]:
    entries = []
    for value in parsed.__dict__.values():
        if isinstance(value, list):
            entries += [(e.id, e) for e in value if hasattr(e, "id")]
        elif isinstance(value, dict):
            entries += [(key, e) for key, e in value.items() if hasattr(e, "legal_basis")]
    return entries


@cache
def rules() -> tuple[LiabilityRule, ...]:
    return tuple(load_data(LIABILITY_FILE, LiabilityFile).rules)


class Decision(BaseModel):
    """The liability part of an answer: parties, parties cleared, facts waited on."""

    model_config = ConfigDict(frozen=True)

    parties: list[LiableParty]
    not_liable: list[ClearedParty]
    fired: list[str]
    waiting: dict[str, list[str]]  # fact -> ids of the rules that wait on it
    optional: dict[str, list[str]]  # fact -> ids of rules that would add to the answer


def decide(view: dict[str, object], names: dict[str, str | None]) -> Decision:
    """Apply every liability rule to the facts ``view`` (known facts and derived ones)."""
    fired: list[LiabilityRule] = []
    waiting: dict[str, list[str]] = {}
    optional: dict[str, list[str]] = {}
    for rule in rules():
        outcome = conditions.all_of(rule.when, view)
        if outcome.fires:
            fired.append(rule)
        elif outcome.fires is None:
            # one question at a time, in the rule's order: the next depends on the answer
            asked = optional if rule.optional else waiting
            asked.setdefault(outcome.unknown[0], []).append(rule.id)
    replaced = {role for rule in fired for role in rule.replaces}
    # a rule whose every party is stood in for by another needs no answer
    for asked in (waiting, optional):
        for fact, ids in list(asked.items()):
            ids[:] = [i for i in ids if not _moot(i, replaced)]
            if not ids:
                del asked[fact]
    # (role, kind) -> rules; the seller side first, so joint parties can name it
    found: dict[tuple[Role, LiabilityKind], list[LiabilityRule]] = {}
    for rule in fired:
        for assignment in rule.assigns:
            if assignment.role in replaced:
                continue
            found.setdefault((assignment.role, assignment.liability), []).append(rule)
    sellers = [role for (role, kind) in found if kind in SELLER_KINDS]
    joint_roles = {role for (role, kind) in found if kind is LiabilityKind.joint}
    parties: list[LiableParty] = []
    for (role, kind), by in found.items():
        with_roles: list[Role] = []
        if kind is LiabilityKind.joint:
            with_roles = [s for s in sellers if s != role]
        elif kind is LiabilityKind.sole and joint_roles - {role}:
            kind = LiabilityKind.joint  # the seller shares it with them
            with_roles = sorted(joint_roles - {role})
        parties.append(
            LiableParty(
                role=role,
                name=names.get(role.value),
                liability=kind,
                with_roles=with_roles,
                rules=[rule.ref for rule in by],
                explanation_zh="".join(rule.explanation_zh for rule in by),
            )
        )
    parties = _merged(parties)
    # the duty to hand over identities is not liability for the loss
    liable = {p.role for p in parties if p.liability is not LiabilityKind.disclose_identity}
    cleared: dict[Role, list[LiabilityRule]] = {}
    for rule in fired:
        for role in rule.clears:
            if role not in liable:
                cleared.setdefault(role, []).append(rule)
    return Decision(
        parties=parties,
        not_liable=[
            ClearedParty(
                role=role,
                rules=[r.ref for r in by],
                explanation_zh="".join(r.explanation_zh for r in by),
            )
            for role, by in cleared.items()
        ],
        fired=[rule.id for rule in fired],
        waiting=waiting,
        optional=optional,
    )


def _moot(rule_id: str, replaced: set[Role]) -> bool:
    rule = next(r for r in rules() if r.id == rule_id)
    roles = {a.role for a in rule.assigns}
    return bool(roles) and roles <= replaced


def _merged(parties: list[LiableParty]) -> list[LiableParty]:
    """One entry per (role, kind): a seller made joint merges with its joint entry."""
    merged: dict[tuple[Role, LiabilityKind], LiableParty] = {}
    for party in parties:
        key = (party.role, party.liability)
        if key in merged:
            old = merged[key]
            party = old.model_copy(
                update={
                    "rules": old.rules + [r for r in party.rules if r not in old.rules],
                    "with_roles": sorted(set(old.with_roles) | set(party.with_roles)),
                    "explanation_zh": old.explanation_zh + party.explanation_zh,
                }
            )
        merged[key] = party
    return list(merged.values())
