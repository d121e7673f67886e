"""Rule files: YAML read with line numbers, validated into typed specs.

Errors name the file, the line and the field (``diversion.yaml:42: rules.3.severity: ...``),
for people editing rules, not Python tracebacks.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from liveguard.legal import LegalBasis, quote_problem
from liveguard.vocab import Severity

RULE_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
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


class RuleFileError(ValueError):
    """Every problem found in one or more rule files, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    role: Role | None = None
    category: str | None = None
    source: Source | None = None


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")

    positive: list[Example | str] = Field(min_length=1)
    negative: list[Example | str] = Field(min_length=1)


class GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: list[str] = Field(min_length=1)
    # spellings added for the Chinese terms: "full" weixin, "initials" wx
    pinyin: list[Literal["full", "initials"]] = []


class Near(BaseModel):
    """Two sets of words close together in one sentence: a disease, then a cure."""

    model_config = ConfigDict(extra="forbid")

    first: list[str] = Field(default=[], description="terms or templates")
    then: list[str] = Field(default=[], description="terms or templates")
    # regexes for a side that is a number or a handle (a phone number, then a lure); the
    # rule's validator checks what they match
    first_patterns: list[str] = []
    then_patterns: list[str] = []
    within: int = Field(default=10, ge=0, le=60, description="characters between them")
    ordered: bool = Field(default=False, description="first must come before then")

    @model_validator(mode="after")
    def _both_sides(self) -> Near:
        if not (self.first or self.first_patterns):
            raise ValueError("near needs first or first_patterns")
        if not (self.then or self.then_patterns):
            raise ValueError("near needs then or then_patterns")
        return self


class UnlessNear(BaseModel):
    """Words that, close to a match in the same sentence, show it is not a violation:
    a warning ("是骗子", "千万别") or someone else's doing ("有人私聊我")."""

    model_config = ConfigDict(extra="forbid")

    terms: list[str] = Field(min_length=1, description="terms or templates")
    within: int = Field(default=8, ge=0, le=60, description="characters between them")


class ModelUse(BaseModel):
    """The rule also fires when the shipped classifier (``model.py``) scores a short text
    of the file's category at or above ``threshold``; the finding quotes the whole text,
    for a person to review."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(ge=0.5, le=0.99)
    max_chars: int = Field(default=300, ge=10, le=2000, description="longer texts: rules only")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=RULE_ID.pattern)
    severity: Severity
    message: str = Field(min_length=2, description="what is wrong, in plain words")
    terms: list[str] = []
    templates: list[str] = []
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


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(default=None, pattern=r"^[a-z_]+$")
    title: str | None = None
    description: str | None = None
    legal_basis: list[LegalBasis] = []
    groups: dict[str, list[str] | GroupSpec] = {}
    allow: list[str] = Field(default=[], description="phrases never flagged by this file")
    rules: list[RuleSpec] = []
    _name: str = PrivateAttr(default="")
    _lines: dict[tuple, int] = PrivateAttr(default_factory=dict)

    def where(self, *path: object) -> str:
        """``file:line`` of a field, for problems found after parsing."""
        return f"{self._name}:{_line_of(self._lines, path)}"

    @model_validator(mode="after")
    def _rules_have_a_category(self) -> RuleFile:
        if self.rules and not (self.category and self.title):
            raise ValueError("a file with rules needs a category and a title")
        return self


def _plain(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> Any:
    """The Python value of a composed YAML node, noting each path's line number."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                raise RuleFileError([f"line {key_node.start_mark.line + 1}: duplicate key {key!r}"])
            result[key] = _plain(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()


class Overlay(RuleFile):
    """A platform's changes to the shipped rules: its own rules and allow-list, rules it
    switches off, and severities it changes."""

    disable: list[str] = []
    severity: dict[str, Severity] = {}


def parse(text: str, name: str, model: type[RuleFile] = RuleFile) -> RuleFile:
    """One rule file's text, validated; problems name ``name``, the line and the field."""
    lines: dict[tuple, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        raise RuleFileError(
            [f"{where}: not valid YAML: {getattr(error, 'problem', error)}"]
        ) from None
    if root is None:
        raise RuleFileError([f"{name}: the file is empty"])
    try:
        data = _plain(root, (), lines)
    except RuleFileError as error:
        raise RuleFileError([f"{name}:{p.removeprefix('line ')}" for p in error.problems]) from None
    if not isinstance(data, dict):
        raise RuleFileError([f"{name}:1: a rule file is a mapping (category, rules, ...)"])
    try:
        spec = model.model_validate(data)
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            loc = tuple(p for p in issue["loc"] if not (isinstance(p, str) and "[" in p))
            line = _line_of(lines, loc)
            field = ".".join(str(p) for p in loc) or "(file)"
            problems.append(f"{name}:{line}: {field}: {issue['msg']}")
        raise RuleFileError(problems) from None
    problems = []
    for i, basis in enumerate(spec.legal_basis):
        if (problem := quote_problem(basis)) is not None:
            problems.append(
                f"{name}:{_line_of(lines, ('legal_basis', i))}: legal_basis.{i}: {problem}"
            )
    for r, rule in enumerate(spec.rules):
        for i, basis in enumerate(rule.legal_basis or []):
            if (problem := quote_problem(basis)) is not None:
                where = _line_of(lines, ("rules", r, "legal_basis", i))
                problems.append(f"{name}:{where}: rules.{r}.legal_basis.{i}: {problem}")
        if not (rule.legal_basis or spec.legal_basis):
            where = _line_of(lines, ("rules", r))
            problems.append(
                f"{name}:{where}: rules.{r}.legal_basis: every rule needs a legal basis"
            )
    if problems:
        raise RuleFileError(problems)
    spec._name, spec._lines = name, lines
    return spec


def _line_of(lines: dict[tuple, int], loc: tuple) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def load(path: Path) -> RuleFile:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise RuleFileError([f"{path.name}: not UTF-8 text ({error.reason})"]) from None
    return parse(text, path.name)
