"""The listing-review rules as data: ``data/review.yaml`` and ``data/lexicons.yaml``, read
into strict models. Problems name the file, the line and the field
(``review.yaml:212: checks.3.severity: ...``), for the people who edit the rules.

The lexicon entries are compiled into a small detection rule set, so prohibited goods,
placeholder phrases and unfair terms get the detect package's normalisation (traditional
characters, full-width letters, 七 = 7, separators inside a word) and one Hyperscan pass.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.detect.rulefile import (
    Examples,
    Near,
    RuleFile,
    RuleFileError,
    RuleSpec,
    UnlessNear,
)
from liveguard.detect.ruleset import RuleSet, compile_files
from liveguard.legal import LegalBasis
from liveguard.vocab import Severity

M = TypeVar("M", bound="BaseModel")
REVIEW_FILE = "review.yaml"
LEXICON_FILE = "lexicons.yaml"


class ReviewRulesError(RuleFileError):
    """Every problem found in the review rule files, one line each."""


class LexiconKind(enum.StrEnum):
    """What the reviewer does with a lexicon hit (see lexicons.yaml)."""

    prohibited = "prohibited"
    placeholder_deferral = "placeholder_deferral"
    placeholder_marker = "placeholder_marker"
    unfair_term = "unfair_term"
    refuses_return = "refuses_return"
    return_exemption = "return_exemption"


class TextField(enum.StrEnum):
    """The listing texts that are scanned."""

    title = "title"  # type: ignore[assignment]  # the field's name, shadowing str.title
    description = "description"
    product_name = "product_name"
    store_terms = "store_terms"


# --- review.yaml --------------------------------------------------------------------------


class FieldRule(Strict):
    name: str
    pattern: str
    hint: str


class LicenceRule(Strict):
    name: str
    pattern: str
    hint: str
    # the law that requires the licence: cited, with the check's own basis, when the
    # licence on the label has expired (three_no.licence_expired)
    legal_basis: list[LegalBasis] = Field(default_factory=list)


class CategoryLabel(Strict):
    required: list[str]
    licence: LicenceRule | None = None
    legal_basis: list[LegalBasis] = Field(min_length=1)


class LabelRules(Strict):
    placeholders: list[str]
    fields: dict[str, FieldRule]
    categories: dict[str, CategoryLabel]

    @model_validator(mode="after")
    def _known_fields(self) -> LabelRules:
        for code, category in self.categories.items():
            unknown = set(category.required) - set(self.fields)
            if unknown:
                raise ValueError(f"category {code} requires unknown label fields {sorted(unknown)}")
        return self


class ShelfLifeUnit(Strict):
    days: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)


class ShelfLifeRules(Strict):
    amount: str = Field(description="a regex for the count before the unit")
    units: dict[str, ShelfLifeUnit] = Field(min_length=1)


class Wording(Strict):
    list_separator: str
    alternatives: str


class PriceReferences(Strict):
    """How a message names the price the original price was compared with."""

    window: str
    last_before_window: str


class PriceRules(Strict):
    window_days: int = Field(ge=1)
    raise_min_ratio: float = Field(gt=0)
    raise_lookback_days: int = Field(ge=1)
    references: PriceReferences


class ShippingThreshold(Strict):
    cap_fen: int = Field(ge=0)
    ratio: float = Field(ge=0)

    def limit_fen(self, price_fen: int) -> int:
        """The largest fair fee: the cap, or the share of the price when that is more
        (money in integer fen; the ratio goes through Decimal, never float arithmetic)."""
        share = (Decimal(price_fen) * Decimal(str(self.ratio))).to_integral_value(ROUND_FLOOR)
        return max(self.cap_fen, int(share))


class ShippingRules(Strict):
    default: ShippingThreshold
    categories: dict[str, ShippingThreshold] = Field(default_factory=dict)

    def for_category(self, code: str) -> ShippingThreshold:
        return self.categories.get(code, self.default)


class ClaimRules(Strict):
    message: str = Field(min_length=4)


class PlaceholderRules(Strict):
    min_description_chars: int = Field(ge=0)
    # a product name made only of these words names nothing ("福利款", "补差价链接")
    vague_names: list[str] = Field(default_factory=list)


class ListingExamples(Strict):
    positive: list[dict[str, Any]] = Field(min_length=1)
    negative: list[dict[str, Any]] = Field(min_length=1)


class CheckSpec(Strict):
    id: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)*$")
    severity: Severity
    message: str = Field(min_length=4)
    legal_basis: list[LegalBasis] = Field(min_length=1)
    examples: ListingExamples


class LexiconCheckExamples(Strict):
    check: str
    examples: ListingExamples


class ReviewRules(Strict):
    example_base: dict[str, Any]
    label: LabelRules
    wording: Wording
    shelf_life: ShelfLifeRules
    price: PriceRules
    shipping: ShippingRules
    text_fields: dict[TextField, str]
    claims: ClaimRules
    placeholder_link: PlaceholderRules
    checks: list[CheckSpec]
    listing_examples: list[LexiconCheckExamples] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> ReviewRules:
        ids = [c.id for c in self.checks]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"check ids must be unique; repeated: {repeated}")
        return self

    def check(self, check_id: str) -> CheckSpec:
        for spec in self.checks:
            if spec.id == check_id:
                return spec
        raise KeyError(f"{REVIEW_FILE} has no check {check_id!r}")


# --- lexicons.yaml ------------------------------------------------------------------------


class PhraseExamples(Strict):
    positive: list[str] = Field(min_length=1)
    negative: list[str] = Field(min_length=1)


class LexiconEntry(Strict):
    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    kind: LexiconKind
    name: str | None = None
    severity: Severity | None = None
    message: str | None = None
    fields: list[TextField] = Field(min_length=1)
    terms: list[str] = Field(default_factory=list)
    near: Near | None = None
    unless: list[str] = Field(default_factory=list)
    unless_near: UnlessNear | None = None
    # "base": match only as written, not across punctuation (the compact view drops it,
    # so "无理由退货，不支持定制款" would read as "无理由退货不支持")
    view: Literal["any", "base"] = "any"
    # for an unfair_term: the standard term it is, as the liability engine's
    # `standard_terms` fact (民法典 arts. 497-498, 消费者权益保护法 art. 26), set on a complaint
    # that names the listing so the answer says the term is void without being told
    standard_term: Literal["no_returns", "final_interpretation", "excludes_main_rights"] | None = (
        None
    )
    legal_basis: list[LegalBasis] = Field(min_length=1)
    examples: PhraseExamples

    @model_validator(mode="after")
    def _complete(self) -> LexiconEntry:
        if not (self.terms or self.near):
            raise ValueError("an entry needs terms or near")
        if self.kind != "return_exemption" and not (self.severity and self.message):
            raise ValueError(f"a {self.kind} entry needs a severity and a message")
        if self.kind == "return_exemption" and not self.name:
            raise ValueError("a return_exemption entry needs a name")
        if self.standard_term and self.kind != "unfair_term":
            raise ValueError(
                "only an unfair_term entry (unfair whatever is sold) is a standard term"
            )
        return self


class Lexicons(Strict):
    entries: list[LexiconEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Lexicons:
        ids = [e.id for e in self.entries]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"entry ids must be unique; repeated: {repeated}")
        return self

    def entry(self, entry_id: str) -> LexiconEntry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(f"{LEXICON_FILE} has no entry {entry_id!r}")

    def rule_files(self) -> list[RuleFile]:
        """The entries as detect rule files, for ``ruleset.compile_files``: one file (and
        so one rule category) per entry, because the engine merges overlapping hits of
        one category under the first rule, and two entries may match the same words
        ("no returns once sold" is an unfair term and a refused return)."""
        return [
            RuleFile(
                category=entry.id.replace(".", "_"),
                title=entry.name or entry.id,
                rules=[
                    RuleSpec(
                        id=entry.id,
                        severity=entry.severity or Severity.low,
                        message=entry.message or entry.name or entry.id,
                        terms=entry.terms,
                        near=entry.near,
                        unless=entry.unless,
                        unless_near=entry.unless_near,
                        view=entry.view,
                        legal_basis=entry.legal_basis,
                        examples=Examples(
                            positive=list(entry.examples.positive),
                            negative=list(entry.examples.negative),
                        ),
                    )
                ],
            )
            for entry in self.entries
        ]


# --- reading ------------------------------------------------------------------------------


def parse(text: str | bytes, name: str, model: type[M]) -> M:
    """One file's text, validated into ``model``; every legal quote verified."""
    document = datafiles.read(text, name, error=ReviewRulesError)
    spec = datafiles.validate(document, model, error=ReviewRulesError)
    problems = datafiles.quote_problems(document, spec)
    if isinstance(spec, ReviewRules):
        problems.extend(_check_review(spec, document))
    if problems:
        raise ReviewRulesError(problems)
    return spec


def _check_review(spec: ReviewRules, document: datafiles.Document) -> list[str]:
    """What pydantic cannot see: regexes compile, categories exist."""
    from liveguard.parties.qualifications import catalogue

    known = {c.code for c in catalogue().categories}
    problems = []

    def regex(pattern: str, location: datafiles.Location) -> None:
        try:
            re.compile(pattern)
        except re.error as error:
            problems.append(document.problem(location, str(error)))

    for key, rule in spec.label.fields.items():
        regex(rule.pattern, ("label", "fields", key, "pattern"))
    for code, category in spec.label.categories.items():
        if code not in known:
            problems.append(document.problem(("label", "categories", code), "not a category code"))
        if category.licence:
            regex(category.licence.pattern, ("label", "categories", code, "licence", "pattern"))
    for code in spec.shipping.categories:
        if code not in known:
            problems.append(
                document.problem(("shipping", "categories", code), "not a category code")
            )
    try:
        datetime.fromisoformat(str(spec.example_base.get("now")))
    except ValueError:
        problems.append(f"{document.where(('example_base',))}: example_base.now: no date")
    return problems


def data_text(file: str) -> str:
    """A shipped data file's text."""
    return datafiles.shipped_bytes("liveguard.catalog", file).decode("utf-8")


@cache
def review_rules() -> ReviewRules:
    """The shipped thresholds, formats and check specs, parsed once."""
    return parse(data_text(REVIEW_FILE), REVIEW_FILE, ReviewRules)


@cache
def lexicons() -> Lexicons:
    """The shipped phrase lists, parsed once."""
    return parse(data_text(LEXICON_FILE), LEXICON_FILE, Lexicons)


def compile_lexicons(entries: Lexicons | None = None) -> RuleSet:
    """The lexicon entries compiled into one Hyperscan rule set (see the module doc)."""
    if entries is None:
        return _shipped_lexicon_ruleset()
    return compile_files(entries.rule_files(), extra_version="lexicons")


@cache
def _shipped_lexicon_ruleset() -> RuleSet:
    return compile_files(lexicons().rule_files(), extra_version="lexicons")
