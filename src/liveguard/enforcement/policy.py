"""Enforcement policy as data: ``data/policy.yaml`` parsed into strict models, and the
pure decision of which actions a finding calls for."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.enforcement.enums import ActionKind
from liveguard.legal import LegalBasis
from liveguard.live import service as live_service
from liveguard.live.enums import FindingSpeaker
from liveguard.vocab import Severity

if TYPE_CHECKING:
    from liveguard.detect.rulefile import RuleFile

POLICY_FILE = "policy.yaml"


class Match(Strict):
    categories: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    # who produced what was found; None: anyone. The counts count only these speakers'.
    speakers: frozenset[FindingSpeaker] | None = None

    @model_validator(mode="after")
    def _something(self) -> Match:
        if not self.categories and not self.rules:
            raise ValueError("match needs categories or rules")
        if self.speakers is not None and not self.speakers:
            raise ValueError("speakers is empty: leave it out to match anyone")
        return self


class Range(Strict):
    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=0)

    def holds(self, value: int) -> bool:
        return value >= self.min and (self.max is None or value <= self.max)


class Policy(Strict):
    id: str = Field(pattern=r"^policy\.[a-z_.]+$")
    match: Match
    min_severity: Severity = Severity.low
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
        self, *, rule: str, category: str, severity: str, speaker: str, tally: Tally
    ) -> bool:
        if category not in self.match.categories and rule not in self.match.rules:
            return False
        if _rank(severity) < self.min_severity.rank:
            return False
        if self.match.speakers is not None and speaker not in self.match.speakers:
            return False
        speakers = self.match.speakers
        return self.repeat.holds(tally.repeat_of(speakers)) and self.history.holds(
            tally.history_of(speakers)
        )


class PolicyFile(Strict):
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


def parse(text: str | bytes, name: str, *, rule_files: Iterable[RuleFile]) -> PolicyFile:
    """A policy file validated, its quotes checked, and every category and rule it names
    found among ``rule_files`` or the live monitor's own findings."""
    document = datafiles.read(text, name)
    parsed = datafiles.validate(document, PolicyFile)
    problems = datafiles.quote_problems(document, parsed)
    problems += _unknown_names(document, parsed, *_findable(rule_files))
    if problems:
        raise datafiles.DataFileError(problems)
    return parsed


def check_against(rule_files: Iterable[RuleFile]) -> list[str]:
    """What is wrong with the shipped policy file against ``rule_files`` (for ``rules check``)."""
    try:
        parse(
            datafiles.shipped_bytes("liveguard.enforcement", POLICY_FILE),
            POLICY_FILE,
            rule_files=rule_files,
        )
    except datafiles.DataFileError as error:
        return error.problems
    return []


@cache
def load() -> PolicyFile:
    """The shipped policies, checked against the shipped rules, parsed once."""
    from liveguard.detect import overlay

    text = datafiles.shipped_bytes("liveguard.enforcement", POLICY_FILE)
    return parse(text, POLICY_FILE, rule_files=overlay.shipped_files())


def _findable(rule_files: Iterable[RuleFile]) -> tuple[set[str], set[str]]:
    """The categories and rule ids a finding can carry: the detection rules', and those of
    the monitor's own checks (claims against the room's numbers, QR codes)."""
    from liveguard.live import claims, payloads

    categories: set[str] = set()
    rules: set[str] = set()
    for spec in rule_files:
        if spec.category:
            categories.add(spec.category)
        rules.update(rule.id for rule in spec.rules)
    monitor = claims.rules()
    checks = [(c.category, c.id) for c in monitor.claims]
    checks += [(c.category, c.id) for c in (monitor.listing_change, monitor.traffic)]
    for category, rule in checks:
        categories.add(category)
        rules.add(rule)
    categories.add(payloads.CATEGORY)
    rules.update(rule.id for rule in payloads.payload_rules())
    return categories, rules


def _unknown_names(
    document: datafiles.Document, parsed: PolicyFile, categories: set[str], rules: set[str]
) -> list[str]:
    found = []
    for i, policy in enumerate(parsed.policies):
        for kind, names, known in (
            ("categories", policy.match.categories, categories),
            ("rules", policy.match.rules, rules),
        ):
            for j, name in enumerate(names):
                if name in known:
                    continue
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                singular = "category" if kind == "categories" else "rule"
                location = ("policies", i, "match", kind, j)
                found.append(document.problem(location, f"there is no {singular} {name!r}{hint}"))
    return found


@dataclass(frozen=True)
class Tally:
    """What was found before, of a finding's category, by who produced it: a policy
    counts only its own speakers' (a viewer's spam is not the anchor's repeat)."""

    # this session's open findings of the category per speaker, the finding itself included
    repeat: Mapping[str, int] = field(default_factory=dict)
    # per speaker, the anchor's other sessions with an open finding of the category
    history: Mapping[str, Set[int]] = field(default_factory=dict)

    def repeat_of(self, speakers: Set[str] | None) -> int:
        return sum(n for s, n in self.repeat.items() if speakers is None or s in speakers)

    def history_of(self, speakers: Set[str] | None) -> int:
        """Sessions, each once however many of the speakers had a finding in it."""
        chosen = [ids for s, ids in self.history.items() if speakers is None or s in speakers]
        return len(set().union(*chosen))


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
    speaker: str,
    tally: Tally,
    policies: PolicyFile | None = None,
) -> list[Decision]:
    """The actions a finding calls for, each once, in the order the policies list them.
    ``speaker`` produced the finding's text (a ``FindingSpeaker``); ``tally`` holds the
    counts before it and including it. The anchor's message names the rule in words."""
    policies = policies or load()
    decisions: list[Decision] = []
    taken: set[ActionKind] = set()
    for policy in policies.policies:
        if not policy.applies(
            rule=rule, category=category, severity=severity, speaker=speaker, tally=tally
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
                text = (policy.anchor_message or "").format(
                    rule=live_service.rule_words(rule, category), quote=quote
                )
            decisions.append(Decision(policy, kind, text))
    return decisions


def _rank(severity: str) -> int:
    """An unknown severity ranks lowest, so it never escalates a policy."""
    try:
        return Severity(severity).rank
    except ValueError:
        return 0
