"""Rule files: YAML read by ``liveguard.datafiles``, validated into typed specs.

Errors name the file, the line and the field (``diversion.yaml:42: rules.3.severity: ...``),
for people editing rules, not Python tracebacks.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from liveguard import datafiles
from liveguard.legal import LegalBasis
from liveguard.vocab import Severity

RULE_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
# Limits on an overlay's regexes (see ``Overlay``).
MAX_OVERLAY_RULES = 200
MAX_OVERLAY_PATTERNS = 200
MAX_PATTERN_CHARS = 1000
MAX_REPEATS = 60
REPEAT = re.compile(r"(?<!\\)\{(\d+)(?:,(\d*))?\}")  # {n}, {m,n}, {m,}
TEMPLATE_SLOT = re.compile(r"\{([a-z][a-z0-9_]*)\}")  # {5,19} stays a regex repeat


class Role(enum.StrEnum):
    anchor = "anchor"
    assistant = "assistant"
    viewer = "viewer"
    merchant = "merchant"


class Source(enum.StrEnum):
    speech = "speech"
    chat = "chat"
    listing = "listing"
    screen = "screen"


class RuleFileError(datafiles.DataFileError):
    """Every problem found in one or more rule files, one line each."""


class Example(datafiles.Strict):
    text: str = Field(min_length=1)
    role: Role | None = None
    category: str | None = None
    source: Source | None = None


class Examples(datafiles.Strict):
    positive: list[Example | str] = Field(min_length=1)
    negative: list[Example | str] = Field(min_length=1)


class GroupSpec(datafiles.Strict):
    terms: list[str] = Field(min_length=1)
    # spellings added for the Chinese terms: "full" weixin, "initials" wx
    pinyin: list[Literal["full", "initials"]] = Field(default_factory=list)


class Near(datafiles.Strict):
    """Two sets of words close together in one sentence: a disease, then a cure."""

    first: list[str] = Field(default=[], description="terms or templates")
    then: list[str] = Field(default=[], description="terms or templates")
    # regexes for a side that is a number or a handle (a phone number, then a lure); the
    # rule's validator checks what they match
    first_patterns: list[str] = Field(default_factory=list)
    then_patterns: list[str] = Field(default_factory=list)
    within: int = Field(default=10, ge=0, le=60, description="characters between them")
    ordered: bool = Field(default=False, description="first must come before then")

    @model_validator(mode="after")
    def _both_sides(self) -> Near:
        if not (self.first or self.first_patterns):
            raise ValueError("near needs first or first_patterns")
        if not (self.then or self.then_patterns):
            raise ValueError("near needs then or then_patterns")
        return self


class UnlessNear(datafiles.Strict):
    """Words that, close to a match in the same sentence, show it is not a violation:
    a warning ("是骗子", "千万别") or someone else's doing ("有人私聊我")."""

    terms: list[str] = Field(min_length=1, description="terms or templates")
    within: int = Field(default=8, ge=0, le=60, description="characters between them")


class Negation(datafiles.Strict):
    """Words that govern a match in their own clause (up to a comma): a negation or a
    prohibition just before it ("不能说最好", "别让人加微信"), or a warning just after
    it ("平台外交易没保障"). Unlike ``unless_near`` they do not reach across a comma, and
    they apply to every rule of the file."""

    before: list[str] = Field(default_factory=list, description="cues before the match")
    after: list[str] = Field(default_factory=list, description="cues after the match")
    within: int = Field(default=6, ge=0, le=20, description="characters between")


class ModelUse(datafiles.Strict):
    """The rule also fires when the shipped classifier (``model.py``) scores a short text
    of the file's category at or above ``threshold``; the finding quotes the whole text,
    for a person to review."""

    threshold: float = Field(ge=0.5, le=0.99)
    max_chars: int = Field(default=300, ge=10, le=2000, description="longer texts: rules only")


class RuleSpec(datafiles.Strict):
    id: str = Field(pattern=RULE_ID.pattern)
    severity: Severity
    message: str = Field(min_length=2, description="what is wrong, in plain words")
    terms: list[str] = Field(default_factory=list)
    templates: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default=[], description="regexes over the normalised text")
    near: Near | None = None
    model: ModelUse | None = None
    view: Literal["any", "base", "compact"] = "any"
    # Regexes run over the text as written (base) and with separators dropped (compact),
    # so 138 0013 8000 is a number; "base" spares the second scan for patterns that read
    # punctuation themselves (addresses, web links). Terms always match through separators.
    patterns_view: Literal["base", "both"] = "both"
    validator: Literal["mobile", "gb11643", "luhn", "handle"] | None = None
    unless: list[str] = Field(default=[], description="phrases that, covering a match, undo it")
    unless_near: UnlessNear | None = None
    yields_to: list[str] = Field(
        default=[],
        description="rule ids or categories whose finding in the same text replaces this one",
    )
    roles: list[Role] | None = None
    sources: list[Source] | None = None
    categories: list[str] | None = None
    except_categories: list[str] | None = None
    legal_basis: list[LegalBasis] | None = None
    examples: Examples

    @model_validator(mode="after")
    def _has_something_to_match(self) -> RuleSpec:
        if not (self.terms or self.templates or self.patterns or self.near or self.model):
            raise ValueError("a rule needs terms, templates, patterns, near or model")
        return self


class RuleFile(datafiles.Strict):
    category: str | None = Field(default=None, pattern=r"^[a-z_]+$")
    title: str | None = None
    description: str | None = None
    legal_basis: list[LegalBasis] = Field(default_factory=list)
    groups: dict[str, list[str] | GroupSpec] = Field(default_factory=dict)
    allow: list[str] = Field(default=[], description="phrases never flagged by this file")
    negation: Negation | None = None
    rules: list[RuleSpec] = Field(default_factory=list)
    _document: datafiles.Document = PrivateAttr(
        default_factory=lambda: datafiles.Document("", None, {})
    )

    def where(self, *path: object) -> str:
        """``file:line`` of a field, for problems found after parsing."""
        return self._document.where(path)

    @model_validator(mode="after")
    def _rules_have_a_category(self) -> RuleFile:
        if self.rules and not (self.category and self.title):
            raise ValueError("a file with rules needs a category and a title")
        return self


class Overlay(RuleFile):
    """A platform's changes to the shipped rules: its own rules and allow-list, rules it
    switches off, and severities it changes."""

    disable: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bounded_regexes(self) -> Overlay:
        # An overlay comes over the network: its regexes are compiled in the request, and
        # Hyperscan takes seconds to refuse one large bounded repeat (``.{5000}``). These
        # limits keep the worst overlay's compile well under a second; the shipped files
        # (trusted) stay within them too (their largest repeat sum is 37).
        patterns = [
            pattern
            for rule in self.rules
            for pattern in (
                *rule.patterns,
                *(rule.near.first_patterns if rule.near else ()),
                *(rule.near.then_patterns if rule.near else ()),
            )
        ]
        if len(self.rules) > MAX_OVERLAY_RULES:
            raise ValueError(f"{len(self.rules)} rules; an overlay has at most {MAX_OVERLAY_RULES}")
        if len(patterns) > MAX_OVERLAY_PATTERNS:
            raise ValueError(
                f"{len(patterns)} regexes; an overlay has at most {MAX_OVERLAY_PATTERNS}"
            )
        for pattern in patterns:
            if len(pattern) > MAX_PATTERN_CHARS:
                raise ValueError(
                    f"a regex of {len(pattern)} characters; at most {MAX_PATTERN_CHARS}"
                )
            repeats = sum(int(upper or lower) for lower, upper in REPEAT.findall(pattern))
            if repeats > MAX_REPEATS:
                raise ValueError(
                    f"the regex {pattern[:40]!r} repeats {repeats} times in all ({{m,n}} "
                    f"counts n); at most {MAX_REPEATS}: use + or * for open lengths"
                )
        return self


def parse(text: str | bytes, name: str, model: type[RuleFile] = RuleFile) -> RuleFile:
    """One rule file's text, validated; problems name ``name``, the line and the field."""
    document = datafiles.read(text, name, error=RuleFileError)
    if not isinstance(document.data, dict):
        raise RuleFileError([f"{name}:1: a rule file is a mapping (category, rules, ...)"])
    spec = datafiles.validate(document, model, error=RuleFileError)
    problems = datafiles.quote_problems(document, spec)
    for r, rule in enumerate(spec.rules):
        if not (rule.legal_basis or spec.legal_basis):
            problems.append(
                document.problem(("rules", r, "legal_basis"), "every rule needs a legal basis")
            )
    if problems:
        raise RuleFileError(problems)
    spec._document = document
    return spec


def load(path: Path) -> RuleFile:
    return parse(datafiles.file_bytes(path), path.name)
