"""Listing review: pure checks of a listing's facts, each with its legal basis.

No database, no web. The rules and thresholds are data (``data/review.yaml``,
``data/lexicons.yaml``); the claim scan is the detect package's engine. A ``Reviewer`` is
built once (it compiles two rule sets) and then reviews one listing or many:

    reviewer = Reviewer()
    problems = reviewer.review(facts)          # list[Problem]
    verdict(problems)                          # approve / changes_requested / reject

The verdict: any critical or high problem rejects the listing (it must not go, or stay,
on sale; a corrected version is reviewed afresh); otherwise any medium problem requests
changes (a form defect the merchant fixes; staff may still approve); otherwise approve.

Price integrity (Provisions on Clearly Marked Prices and the Prohibition of Price Fraud,
arts. 16, 17): the "original" (struck-through)
price is compared with the lowest price actually charged in the 7 days before ``now``,
window start included; with no sale in the window, with the last sale before it
(art. 16 para. 2). No sale at all: ``price.original_unproven`` (art. 17 para. 2, a
price with nothing to compare it with), medium, since a new listing may quote a
manufacturer's price that the merchant can label as such.
``price.raised_before_discount`` (art. 17 para. 1): a sale in the window at a price at
least ``raise_min_ratio`` above the sale before it (within ``raise_lookback_days``), and
the original price is that raised price or more.

The checks live by family: ``fact_checks.py`` (label, qualifications, prices, shipping)
and ``text_checks.py`` (claims, prohibited goods, placeholder links, standard terms);
``facts.py`` holds what they share. This module runs them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from liveguard.catalog import review_rules as data
from liveguard.catalog.fact_checks import Checks
from liveguard.catalog.facts import (
    COMPUTED_CHECKS,
    ListingFacts,
    Problem,
    Verdict,
    add_months,
    render,
    verdict,
)
from liveguard.catalog.label_claims import Contradiction
from liveguard.catalog.label_claims import check as check_label_claims
from liveguard.catalog.review_rules import LexiconKind, ReviewRules
from liveguard.catalog.text_checks import (
    CLAIM_FIELDS,
    DESCRIPTION,
    PRODUCT_NAME,
    STORE_TERMS,
    TITLE,
    TextChecks,
    Texts,
    listing_texts,
)
from liveguard.detect import ruleset
from liveguard.detect.engine import Context, Detector
from liveguard.detect.rulefile import Role, Source
from liveguard.money import yuan
from liveguard.parties.qualifications import catalogue

__all__ = [
    "CLAIM_FIELDS",
    "COMPUTED_CHECKS",
    "DESCRIPTION",
    "PRODUCT_NAME",
    "STORE_TERMS",
    "TITLE",
    "Checks",
    "ListingFacts",
    "Problem",
    "Reviewer",
    "TextChecks",
    "Verdict",
    "add_months",
    "listing_texts",
    "render",
    "verdict",
    "yuan",
]


class Reviewer:
    """Review listings against the shipped rules. Build once; safe to share."""

    def __init__(
        self,
        rules: ReviewRules | None = None,
        lexicons: data.Lexicons | None = None,
        detector: Detector | None = None,
        batch_size: int = 256,
    ) -> None:
        self.rules = rules or data.review_rules()
        self.lexicons = lexicons or data.lexicons()
        self.catalogue = catalogue()
        self.checks = Checks(self.rules, self.catalogue)
        self.claims = detector or Detector(ruleset.packaged())
        self.phrases = Detector(data.compile_lexicons(self.lexicons))
        self.texts = TextChecks(self.rules, self.lexicons, self.checks)
        self.batch_size = batch_size
        self.contexts = {
            code: Context(role=Role.merchant, category=code, source=Source.listing)
            for code in self.checks.category_names
        }

    def review(self, facts: ListingFacts) -> list[Problem]:
        return self.review_many([facts])[0]

    def review_many(self, listings: Sequence[ListingFacts]) -> list[list[Problem]]:
        """Problems for each listing; texts are scanned in batches, one engine call per
        batch and rule set, each distinct text once."""
        results: list[list[Problem]] = []
        for start in range(0, len(listings), self.batch_size):
            batch = listings[start : start + self.batch_size]
            for facts in batch:
                if facts.category not in self.contexts:
                    known = ", ".join(sorted(self.contexts))
                    raise ValueError(f"category {facts.category!r} is unknown; known: {known}")
            claims, phrases = self._scan(batch)
            for facts, claim_hits, phrase_hits in zip(batch, claims, phrases, strict=True):
                claimed = self.texts.claims(claim_hits)
                results.append(
                    [
                        *self.checks.all(facts),
                        *claimed,
                        *self.texts.phrases(facts, phrase_hits),
                        *label_claim_problems(facts, claimed),
                    ]
                )
        return results

    def _scan(self, batch: Sequence[ListingFacts]) -> tuple[list[Texts], list[Texts]]:
        claim_keys: dict[tuple[str, str], int] = {}
        phrase_keys: dict[str, int] = {}
        wanted = []
        for facts in batch:
            texts = listing_texts(facts)
            claim_slots = {
                name: claim_keys.setdefault((texts[name], facts.category), len(claim_keys))
                for name in CLAIM_FIELDS
                if texts[name]
            }
            phrase_slots = {
                name: phrase_keys.setdefault(text, len(phrase_keys))
                for name, text in texts.items()
                if text
            }
            wanted.append((claim_slots, phrase_slots))
        claim_found = self.claims.detect_many(
            [text for text, _ in claim_keys],
            [self.contexts[category] for _, category in claim_keys],
        )
        phrase_found = self.phrases.detect_many(list(phrase_keys))
        claims = [{n: claim_found[i] for n, i in slots.items()} for slots, _ in wanted]
        phrases = [{n: phrase_found[i] for n, i in slots.items()} for _, slots in wanted]
        return claims, phrases


def spoken_terms(reviewer: Reviewer, text: str, category: str, now: datetime) -> list[Problem]:
    """Unfair after-sales terms said aloud ("直播间专属价，不支持退货"): the lexicon's
    unfair terms and return refusals, read as if they stood in the store's terms."""
    kinds = {LexiconKind.unfair_term, LexiconKind.refuses_return, LexiconKind.return_exemption}
    hits = [
        hit
        for hit in reviewer.phrases.detect(text)
        if reviewer.texts.entries[hit.rule.id].kind in kinds
    ]
    if not hits:
        return []
    facts = ListingFacts(title="", description="", category=category, price_fen=0, now=now)
    return reviewer.texts.phrases(facts, {STORE_TERMS: hits})


def standard_terms(reviewer: Reviewer, text: str) -> list[str]:
    """The standard terms a text holds, as the liability engine names them ("售出概不退换"
    -> no_returns, "最终解释权归本店所有" -> final_interpretation): the lexicon's unfair
    terms that carry a ``standard_term``."""
    found = {
        term
        for hit in reviewer.phrases.detect(text)
        if (term := reviewer.lexicons.entry(hit.rule.id).standard_term) is not None
    }
    return sorted(found)


def label_claim_problems(facts: ListingFacts, claimed: Sequence[Problem] = ()) -> list[Problem]:
    """Claims in the listing's title and description that its own label does not bear
    out ("正宗燕窝" over a label that says 风味饮品): ``label_claims.py``. A health claim
    the detect rules already reported (``claimed``, at the same words) is not repeated."""
    reported = {
        (p.field, p.evidence["start"], p.evidence["end"])
        for p in claimed
        if p.check == "claims.medical_claims"
    }
    problems = []
    seen: set[str] = set()
    for field, text in (("title", facts.title), ("description", facts.description)):
        for found in check_label_claims(text, facts.label, facts.category):
            overlaps = any(
                f == field and start < found.end and found.start < end for f, start, end in reported
            )
            if found.claim.kind == "health" and overlaps:
                continue
            if found.claim.id not in seen:
                seen.add(found.claim.id)
                problems.append(contradiction_problem(found, field))
    return problems


def contradiction_problem(found: Contradiction, field: str | None) -> Problem:
    evidence = {**found.evidence, "start": found.start, "end": found.end}
    claim = found.claim
    return Problem(
        claim.id, claim.severity, found.message, field, tuple(claim.legal_basis), evidence
    )
