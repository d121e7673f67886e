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
"""

from __future__ import annotations

import calendar
import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any

from liveguard.catalog import review_rules as data
from liveguard.catalog.review_rules import LexiconKind, ReviewRules, TextField
from liveguard.clock import CHINA
from liveguard.detect import ruleset
from liveguard.detect.engine import Context, Detector, Finding
from liveguard.detect.rulefile import Role, Severity, Source
from liveguard.legal import LegalBasis, chinese_numeral
from liveguard.parties.qualifications import Catalogue, catalogue

SEVERITY_RANK = {Severity.low: 0, Severity.medium: 1, Severity.high: 2, Severity.critical: 3}
# The checks computed here from the facts; review.yaml gives each its severity, message
# and basis. The text checks take theirs from lexicons.yaml (prohibited.<kind>,
# placeholder_link, terms.unfair) and from the detect rules (claims.<rule category>).
COMPUTED_CHECKS = (
    "three_no.missing_field",
    "three_no.bad_licence_number",
    "three_no.bad_format",
    "three_no.future_production_date",
    "three_no.expired",
    "qualification.missing",
    "price.fake_original",
    "price.raised_before_discount",
    "price.original_unproven",
    "shipping.excessive",
)


class Verdict(enum.StrEnum):
    approve = "approve"
    changes_requested = "changes_requested"
    reject = "reject"


@dataclass(frozen=True)
class ListingFacts:
    """What review looks at. Money in integer fen; ``now`` and history times aware."""

    title: str
    description: str
    category: str  # a category code of parties/data/qualifications.yaml
    price_fen: int
    now: datetime  # the moment of review: the price comparison is made now
    original_price_fen: int | None = None
    shipping_fee_fen: int = 0
    stock: int = 0
    label: Mapping[str, str] = field(default_factory=dict)
    store_terms: str = ""  # return, shipping and after-sales terms as shown to buyers
    merchant_documents: frozenset[str] | None = None  # valid today; None: not known
    price_history: Sequence[tuple[datetime, int]] = ()  # (when, price) actually charged

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if any(at.tzinfo is None for at, _ in self.price_history):
            raise ValueError("price_history times must be timezone-aware")

    @property
    def today(self) -> date:
        """The date in China: labels and shelf lives are counted in local dates."""
        return self.now.astimezone(CHINA).date()


@dataclass(frozen=True)
class Problem:
    check: str  # a stable id, e.g. "price.fake_original"; its first part is the family
    severity: Severity
    message: str  # plain Chinese: what is wrong and what to fix
    field: str | None
    legal_basis: tuple[LegalBasis, ...]
    evidence: dict[str, Any] = field(default_factory=dict)  # JSON-ready values

    @property
    def family(self) -> str:
        return self.check.split(".", 1)[0]


def verdict(problems: Iterable[Problem]) -> Verdict:
    worst = max((SEVERITY_RANK[p.severity] for p in problems), default=-1)
    if worst >= SEVERITY_RANK[Severity.high]:
        return Verdict.reject
    if worst == SEVERITY_RANK[Severity.medium]:
        return Verdict.changes_requested
    return Verdict.approve


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def render(template: str, evidence: Mapping[str, Any], separator: str) -> str:
    """A message from its template: lists joined by ``separator``, ``*_fen`` also as yuan."""
    slots: dict[str, Any] = {}
    for key, value in evidence.items():
        if isinstance(value, list):
            value = separator.join(map(str, value))
        slots[key] = value
        if key.endswith("_fen") and isinstance(value, int):
            slots[key.removesuffix("_fen") + "_yuan"] = yuan(value)
    return template.format_map(slots)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st of a short month is its last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class Checks:
    """The checks computed from a listing's facts alone (no text scanning)."""

    def __init__(self, rules: ReviewRules, categories: Catalogue) -> None:
        self.rules = rules
        self.catalogue = categories
        self.specs = {c.id: c for c in rules.checks}
        missing = sorted(set(COMPUTED_CHECKS) - set(self.specs))
        if missing:
            raise ValueError(f"review rules have no entry for the checks {missing}")
        label = rules.label
        self.placeholders = frozenset(v.casefold() for v in label.placeholders)
        self.field_patterns = {
            name: re.compile(spec.pattern, re.ASCII) for name, spec in label.fields.items()
        }
        self.licence_patterns = {
            code: re.compile(spec.licence.pattern, re.ASCII)
            for code, spec in label.categories.items()
            if spec.licence
        }
        units = sorted(rules.shelf_life.units, key=len, reverse=True)
        self.shelf_life = re.compile(rf"^({rules.shelf_life.amount})\s*(" + "|".join(units) + r")$")
        self.category_names = {c.code: c.name for c in categories.categories}
        self.categories = {c.code: c for c in categories.categories}
        # fee limit = max(cap, price x ratio), the ratio as an exact fraction: no floats
        self.shipping_limits = {
            code: (limits.cap_fen, Fraction(str(limits.ratio)))
            for code in self.categories
            for limits in (rules.shipping.for_category(code),)
        }

    def render(self, template: str, evidence: Mapping[str, Any]) -> str:
        return render(template, evidence, self.rules.wording.list_separator)

    def problem(
        self,
        check: str,
        field: str | None,
        evidence: dict[str, Any],
        extra_basis: Sequence[LegalBasis] = (),
        basis: Sequence[LegalBasis] | None = None,
    ) -> Problem:
        spec = self.specs[check]
        cited = tuple(basis if basis is not None else spec.legal_basis) + tuple(extra_basis)
        return Problem(
            check, spec.severity, self.render(spec.message, evidence), field, cited, evidence
        )

    # --- "three-no": the label -----------------------------------------------------------

    def value(self, facts: ListingFacts, name: str) -> str | None:
        raw = facts.label.get(name)
        if raw is None:
            return None
        text = str(raw)
        if not unicodedata.is_normalized("NFKC", text):  # full-width ＳＣ１２３ is SC123
            text = unicodedata.normalize("NFKC", text)
        text = text.strip()
        return None if not text or text.casefold() in self.placeholders else text

    def shelf_life_days(self, text: str, start: date) -> date | None:
        """The expiry date of goods made on ``start`` with this shelf life, or None."""
        match = self.shelf_life.match(text)
        if not match:
            return None
        amount, unit = match.groups()
        count = int(amount) if amount.isdigit() else chinese_numeral(amount)
        spec = self.rules.shelf_life.units[unit]
        if spec.months:
            return add_months(start, count * spec.months)
        return start + timedelta(days=count * spec.days)

    def three_no(self, facts: ListingFacts) -> list[Problem]:
        spec = self.rules.label.categories[facts.category]
        fields = self.rules.label.fields
        problems = []
        category_name = self.category_names[facts.category]
        values = {name: self.value(facts, name) for name in fields}
        for name in spec.required:
            if values[name] is None:
                evidence = {
                    "field": name,
                    "field_name": fields[name].name,
                    "category_name": category_name,
                }
                problems.append(
                    self.problem(
                        "three_no.missing_field", f"label.{name}", evidence, basis=spec.legal_basis
                    )
                )
        produced: date | None = None
        for name, text in values.items():
            if text is None:
                continue
            if name == "licence_number" and spec.licence:
                if not self.licence_patterns[facts.category].fullmatch(text):
                    evidence = {
                        "field": name,
                        "field_name": spec.licence.name,
                        "value": text,
                        "hint": spec.licence.hint,
                    }
                    problems.append(
                        self.problem("three_no.bad_licence_number", f"label.{name}", evidence)
                    )
                continue
            well_formed = bool(self.field_patterns[name].fullmatch(text))
            if well_formed and name == "production_date":
                try:
                    produced = date.fromisoformat(text)
                except ValueError:
                    well_formed = False
            if well_formed and name == "shelf_life":
                well_formed = self.shelf_life.match(text) is not None
            if not well_formed:
                evidence = {
                    "field": name,
                    "field_name": fields[name].name,
                    "value": text,
                    "hint": fields[name].hint,
                }
                problems.append(self.problem("three_no.bad_format", f"label.{name}", evidence))
        if produced is None:
            return problems
        today = facts.today
        if produced > today:
            evidence = {"production_date": produced.isoformat(), "today": today.isoformat()}
            problems.append(
                self.problem("three_no.future_production_date", "label.production_date", evidence)
            )
            return problems
        shelf_life = values.get("shelf_life")
        expiry = self.shelf_life_days(shelf_life, produced) if shelf_life else None
        if expiry is not None and expiry < today:
            evidence = {
                "production_date": produced.isoformat(),
                "shelf_life": shelf_life,
                "expiry_date": expiry.isoformat(),
                "today": today.isoformat(),
            }
            problems.append(self.problem("three_no.expired", "label.shelf_life", evidence))
        return problems

    # --- qualifications ------------------------------------------------------------------

    def qualification(self, facts: ListingFacts) -> list[Problem]:
        if facts.merchant_documents is None:
            return []
        category = self.categories[facts.category]
        missing = category.missing(set(facts.merchant_documents))
        if not missing:
            return []
        names = [
            self.rules.wording.alternatives.join(
                self.catalogue.document_type(code).name for code in group
            )
            for group in missing
        ]
        evidence = {
            "category_name": category.name,
            "missing": names,
            "missing_codes": [list(group) for group in missing],
        }
        return [
            self.problem(
                "qualification.missing",
                "merchant_documents",
                evidence,
                extra_basis=category.legal_basis,
            )
        ]

    # --- price integrity -----------------------------------------------------------------

    def price(self, facts: ListingFacts) -> list[Problem]:
        original = facts.original_price_fen
        if original is None or original <= facts.price_fen:
            return []  # no price comparison is shown
        rules = self.rules.price
        now = facts.now
        window_start = now - timedelta(days=rules.window_days)
        history = sorted((at, fen) for at, fen in facts.price_history if at < now)
        in_window = [(at, fen) for at, fen in history if at >= window_start]
        if in_window:
            lowest_at, lowest = min(in_window, key=lambda sale: (sale[1], sale[0]))
            reference, compared_with = rules.references.window, "window"
        elif history:
            lowest_at, lowest = history[-1]
            reference, compared_with = rules.references.last_before_window, "last_before_window"
        else:
            evidence = {"original_fen": original}
            return [self.problem("price.original_unproven", "original_price_fen", evidence)]
        problems = []
        if original > lowest:
            evidence = {
                "original_fen": original,
                "lowest_fen": lowest,
                "lowest_at": lowest_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                "reference": reference,
                "compared_with": compared_with,
                "window_start": window_start.isoformat(),
            }
            problems.append(self.problem("price.fake_original", "original_price_fen", evidence))
        earliest = window_start - timedelta(days=rules.raise_lookback_days)
        factor = 1 + rules.raise_min_ratio
        raises = [
            (before, after)
            for before, after in pairwise(history)
            if after[0] >= window_start
            and before[0] >= earliest
            and after[1] >= before[1] * factor
            and original >= after[1]
        ]
        if raises:
            before, after = raises[-1]
            evidence = {
                "original_fen": original,
                "raised_from_fen": before[1],
                "raised_to_fen": after[1],
                "raised_from_at": before[0].astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                "raised_at": after[0].astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
            }
            problems.append(
                self.problem("price.raised_before_discount", "original_price_fen", evidence)
            )
        return problems

    # --- shipping ------------------------------------------------------------------------

    def shipping(self, facts: ListingFacts) -> list[Problem]:
        limits = self.rules.shipping.for_category(facts.category)
        cap, ratio = self.shipping_limits[facts.category]
        limit = max(cap, facts.price_fen * ratio.numerator // ratio.denominator)
        if facts.shipping_fee_fen <= limit:
            return []
        evidence = {
            "fee_fen": facts.shipping_fee_fen,
            "price_fen": facts.price_fen,
            "limit_fen": limit,
            "cap_fen": limits.cap_fen,
            "ratio": str(limits.ratio),
            "category_name": self.category_names[facts.category],
        }
        return [self.problem("shipping.excessive", "shipping_fee_fen", evidence)]

    def all(self, facts: ListingFacts) -> list[Problem]:
        return [
            *self.three_no(facts),
            *self.qualification(facts),
            *self.price(facts),
            *self.shipping(facts),
        ]


# --- the texts: claims, prohibited goods, placeholder links, standard terms --------------

# Field names are kept as plain strings on the hot path (a StrEnum member hashes in Python
# code); they compare and hash equal to the TextField members the rule data uses.
Texts = dict[str, list[Finding]]
TITLE, DESCRIPTION, PRODUCT_NAME, STORE_TERMS = (str(f.value) for f in TextField)
CLAIM_FIELDS = (TITLE, DESCRIPTION)


def listing_texts(facts: ListingFacts) -> dict[str, str]:
    return {
        TITLE: facts.title,
        DESCRIPTION: facts.description,
        PRODUCT_NAME: str(facts.label.get("product_name") or ""),
        STORE_TERMS: facts.store_terms,
    }


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
        self.entries = {e.id: e for e in self.lexicons.entries}
        self.entry_fields = {
            e.id: frozenset(str(f) for f in e.fields) for e in self.entries.values()
        }
        self.field_names = {str(f): name for f, name in self.rules.text_fields.items()}
        self.batch_size = batch_size
        self.contexts = {
            code: Context(role=Role.merchant, category=code, source=Source.listing)
            for code in self.checks.category_names
        }
        self.placeholder_min = self.rules.placeholder_link.min_description_chars

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
                results.append(
                    [
                        *self.checks.all(facts),
                        *self._claims(claim_hits),
                        *self._phrases(facts, phrase_hits),
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

    def _claims(self, found: Texts) -> list[Problem]:
        problems = []
        template = self.rules.claims.message
        for name, findings in found.items():
            for finding in findings:
                rule = finding.rule
                evidence = {
                    "rule": rule.id,
                    "quote": finding.quote,
                    "field_name": self.field_names[name],
                    "start": finding.start,
                    "end": finding.end,
                    "rule_message": rule.message,
                }
                problems.append(
                    Problem(
                        f"claims.{rule.category}",
                        rule.severity,
                        self.checks.render(template, evidence),
                        str(name),
                        rule.legal_basis,
                        evidence,
                    )
                )
        return problems

    def _phrases(self, facts: ListingFacts, found: Texts) -> list[Problem]:
        first: dict[str, tuple[str, Finding]] = {}  # entry id -> its first hit
        for name, findings in found.items():
            for finding in findings:
                entry = self.entries[finding.rule.id]
                if name in self.entry_fields[entry.id] and entry.id not in first:
                    first[entry.id] = (name, finding)
        if not first:
            return []
        kinds = {self.entries[i].kind for i in first}
        exempt = LexiconKind.return_exemption in kinds
        # unfair terms before refusals, so that one phrase that is both ("概不退换") is
        # reported once, as the graver kind
        order = sorted(first, key=lambda i: self.entries[i].kind is LexiconKind.refuses_return)
        reported_terms: list[tuple[str, int, int]] = []
        problems = []
        placeholder_done = False
        for entry_id in order:
            name, finding = first[entry_id]
            entry = self.entries[entry_id]
            kind = entry.kind
            if kind is LexiconKind.return_exemption:
                continue
            if kind in (LexiconKind.unfair_term, LexiconKind.refuses_return):
                if kind is LexiconKind.refuses_return and exempt:
                    continue  # goods the Consumer Protection Law art. 25 exempts
                if any(
                    field == name and start < finding.end and finding.start < end
                    for field, start, end in reported_terms
                ):
                    continue  # the same words are reported already
                reported_terms.append((name, finding.start, finding.end))
            if kind in (LexiconKind.placeholder_deferral, LexiconKind.placeholder_marker):
                if placeholder_done or (
                    kind is LexiconKind.placeholder_marker and self._described(facts)
                ):
                    continue
                placeholder_done = True
            check = {
                LexiconKind.prohibited: entry.id,
                LexiconKind.placeholder_deferral: "placeholder_link",
                LexiconKind.placeholder_marker: "placeholder_link",
                LexiconKind.unfair_term: "terms.unfair",
                LexiconKind.refuses_return: "terms.unfair",
            }[kind]
            evidence = {
                "entry": entry.id,
                "quote": finding.quote,
                "field_name": self.field_names[name],
                "start": finding.start,
                "end": finding.end,
            }
            problems.append(
                Problem(
                    check,
                    entry.severity,
                    self.checks.render(entry.message, evidence),
                    str(name),
                    tuple(entry.legal_basis),
                    evidence,
                )
            )
        return problems

    def _described(self, facts: ListingFacts) -> bool:
        """Whether the page itself says what is sold: a product name on the label and a
        description of some substance."""
        return (
            self.checks.value(facts, "product_name") is not None
            and len(facts.description.strip()) >= self.placeholder_min
        )
