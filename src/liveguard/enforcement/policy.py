"""Enforcement policy as data: ``data/policy.yaml`` parsed into strict models, and the
pure decision of which actions a finding calls for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from liveguard.enforcement.models import ActionKind
from liveguard.legal import LegalBasis

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
Severity = Literal["low", "medium", "high", "critical"]


class Match(BaseModel):
    model_config = ConfigDict(extra="forbid")

    categories: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> Match:
        if not self.categories and not self.rules:
            raise ValueError("match needs categories or rules")
        return self


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=0)

    def holds(self, value: int) -> bool:
        return value >= self.min and (self.max is None or value <= self.max)


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^policy\.[a-z_.]+$")
    match: Match
    min_severity: Severity = "low"
    repeat: Range = Field(default_factory=Range)
    history: Range = Field(default_factory=Range)
    actions: list[ActionKind] = Field(min_length=1)
    banner: str | None = None
    anchor_message: str | None = None
    legal_basis: list[LegalBasis] = Field(min_length=1)

    @model_validator(mode="after")
    def _texts_for_messages(self) -> Policy:
        if ActionKind.viewer_warning in self.actions and not self.banner:
            raise ValueError(f"{self.id}: a viewer_warning needs a banner")
        if ActionKind.warn_anchor in self.actions and not self.anchor_message:
            raise ValueError(f"{self.id}: warn_anchor needs an anchor_message")
        if ActionKind.dismiss in self.actions:
            raise ValueError(f"{self.id}: dismiss is a person's judgement, not a policy's")
        return self

    def applies(
        self, *, rule: str, category: str, severity: str, repeat: int, history: int
    ) -> bool:
        if category not in self.match.categories and rule not in self.match.rules:
            return False
        if SEVERITY_RANK.get(severity, 0) < SEVERITY_RANK[self.min_severity]:
            return False
        return self.repeat.holds(repeat) and self.history.holds(history)


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    banners: dict[str, str] = Field(min_length=1)
    policies: list[Policy] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> PolicyFile:
        ids = [p.id for p in self.policies]
        if len(set(ids)) != len(ids):
            raise ValueError("policy ids must be unique")
        for policy in self.policies:
            if policy.banner is not None and policy.banner not in self.banners:
                raise ValueError(f"{policy.id}: banner {policy.banner!r} is not in banners")
        return self


@cache
def load() -> PolicyFile:
    text = resources.files("liveguard.enforcement").joinpath("data/policy.yaml")
    return PolicyFile.model_validate(yaml.safe_load(text.read_text("utf-8")))


@dataclass(frozen=True)
class Decision:
    policy: Policy
    kind: ActionKind
    text: str | None  # the banner or the message to the anchor


def decide(
    *,
    rule: str,
    category: str,
    severity: str,
    quote: str,
    repeat: int,
    history: int,
    policies: PolicyFile | None = None,
) -> list[Decision]:
    """The actions a finding calls for, each once, in the order the policies list them."""
    policies = policies or load()
    decisions: list[Decision] = []
    taken: set[ActionKind] = set()
    for policy in policies.policies:
        if not policy.applies(
            rule=rule, category=category, severity=severity, repeat=repeat, history=history
        ):
            continue
        for kind in policy.actions:
            if kind in taken:
                continue
            taken.add(kind)
            text = None
            if kind is ActionKind.viewer_warning:
                text = policies.banners[policy.banner or ""]
            elif kind is ActionKind.warn_anchor:
                text = (policy.anchor_message or "").format(rule=rule, quote=quote)
            decisions.append(Decision(policy, kind, text))
    return decisions
