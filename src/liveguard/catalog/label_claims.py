"""Claims checked against the product's own label (S2): "正宗燕窝" said of a product whose
label says 风味饮品, "纯羊毛" of a polyester blend, "零添加" over a list of preservatives,
"增强抵抗力" for goods that are not registered health food.

The lexicon, the label fields each claim is compared with, the messages and the legal
basis are data (``data/label_claims.yaml``); this module finds the claims in a text and
compares them with a label. Listing review runs it on a listing's title and description;
the live monitor on what is said while the listing is on show.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import Field, model_validator

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis
from liveguard.vocab import Severity


class Words(Strict):
    fields: list[str] = Field(min_length=1)
    any: list[str] = Field(min_length=1)


class Registration(Strict):
    fields: list[str] = Field(min_length=1)
    pattern: str

    def matches(self, label: Mapping[str, str]) -> bool:
        compiled = re.compile(self.pattern, re.IGNORECASE)
        return any(compiled.match(fold(label.get(f) or "").strip()) for f in self.fields)


class Example(Strict):
    text: str
    label: dict[str, str]
    category: str = "food"


class Examples(Strict):
    positive: list[Example] = Field(min_length=1)
    negative: list[Example] = Field(min_length=1)


class LabelClaim(Strict):
    id: str = Field(pattern=r"^label_claims\.[a-z_]+$")
    kind: Literal["identity", "health"]
    says: str
    terms: list[str] = Field(min_length=1)
    contradicted_by: Words | None = None
    requires: Words | None = None
    allowed_categories: list[str] = Field(default_factory=list)
    registration: Registration | None = None
    severity: Severity
    message: str
    legal_basis: list[LegalBasis] = Field(min_length=1)
    examples: Examples

    @model_validator(mode="after")
    def _has_a_test(self) -> LabelClaim:
        if self.kind == "identity" and not (self.contradicted_by or self.requires):
            raise ValueError("an identity claim needs contradicted_by or requires")
        if self.kind == "health" and self.registration is None:
            raise ValueError("a health claim needs registration")
        return self


class LabelClaimsFile(Strict):
    fields: dict[str, str] = Field(min_length=1)
    negations: list[str] = Field(default_factory=list)
    flavours: list[str] = Field(default_factory=list)
    claims: list[LabelClaim] = Field(min_length=1)


@dataclass(frozen=True)
class Contradiction:
    """One claim the label does not bear out."""

    claim: LabelClaim
    quote: str
    start: int
    end: int
    field: str | None  # the label field that contradicts it, when one does
    message: str
    evidence: dict[str, Any]


@cache
def rules() -> LabelClaimsFile:
    return datafiles.load("liveguard.catalog", "label_claims.yaml", LabelClaimsFile)


def fold(text: str) -> str:
    """Full width to half width, upper to lower case; CJK characters stay one for one, so
    offsets still point into the original."""
    return unicodedata.normalize("NFKC", text).lower()


def _find(text: str, terms: list[str], data: LabelClaimsFile) -> list[tuple[int, int]]:
    """Spans of the claim's terms in ``text`` (folded), longest first at a place, skipping
    a term a denial stands just before ("不是燕窝") or a flavour word just after
    ("燕窝风味")."""
    negations, flavours = data.negations, data.flavours
    spans: list[tuple[int, int]] = []
    for term in sorted((fold(t) for t in terms), key=len, reverse=True):
        start = text.find(term)
        while start >= 0:
            end = start + len(term)
            denied = any(text[max(0, start - len(n) - 2) : start].find(n) >= 0 for n in negations)
            flavour = any(text.startswith(f, end) for f in flavours)
            if not denied and not flavour and not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = text.find(term, end)
    return sorted(spans)


def _contradiction(
    claim: LabelClaim, label: Mapping[str, str], category: str
) -> tuple[str | None, str, str] | None:
    """(field, its value, why) when the label does not bear the claim out, else None."""
    if claim.kind == "health":
        assert claim.registration is not None  # the model's validator requires it
        if category in claim.allowed_categories and claim.registration.matches(label):
            return None
        field = claim.registration.fields[0]
        value = label.get(field) or ""
        if category not in claim.allowed_categories:
            return field, value, "category"
        return field, value, "unregistered"
    if claim.contradicted_by:
        for field in claim.contradicted_by.fields:
            value = label.get(field) or ""
            if any(fold(word) in fold(value) for word in claim.contradicted_by.any):
                return field, value, "contradicted"
    if claim.requires:
        present = [f for f in claim.requires.fields if (label.get(f) or "").strip()]
        if present and not any(
            fold(word) in fold(label[f]) for f in present for word in claim.requires.any
        ):
            return present[0], label[present[0]], "absent"
    return None


def check(
    text: str, label: Mapping[str, str], category: str, data: LabelClaimsFile | None = None
) -> list[Contradiction]:
    """The claims in ``text`` that the product's label (and category) does not bear out,
    the first place each claim is made."""
    data = data or rules()
    folded = fold(text)
    found = []
    for claim in data.claims:
        spans = _find(folded, claim.terms, data)
        if not spans:
            continue
        verdict = _contradiction(claim, label, category)
        if verdict is None:
            continue
        field, value, why = verdict
        start, end = spans[0]
        quote = text[start:end]
        field_name = data.fields.get(field or "", field or "")
        reason = {
            "category": "商品类目不是保健食品",
            "unregistered": "标签上没有有效的保健食品注册号或备案号",
            "contradicted": f"标签的{field_name}是“{value}”",
            "absent": f"标签的{field_name}里没有{claim.says}",
        }[why]
        message = claim.message.format(
            quote=quote,
            field_name=field_name,
            label_value=value or "（未填写）",
            says=claim.says,
            reason=reason,
        )
        evidence = {
            "claim": claim.id,
            "says": claim.says,
            "quote": quote,
            "label_field": field,
            "label_value": value,
            "why": why,
            "category": category,
        }
        found.append(Contradiction(claim, quote, start, end, field, message, evidence))
    return found
