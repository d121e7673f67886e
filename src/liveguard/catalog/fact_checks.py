"""The checks computed from a listing's facts alone, by family: "three-no" label facts,
qualifications, price integrity and shipping (see ``checks.py`` for the whole review;
``data/review.yaml`` for every threshold, message and legal basis)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any

from liveguard.catalog.facts import COMPUTED_CHECKS, ListingFacts, Problem, add_months, render
from liveguard.catalog.review_rules import CategoryLabel, ReviewRules
from liveguard.clock import CHINA
from liveguard.legal import LegalBasis, chinese_numeral
from liveguard.parties.qualifications import Catalogue


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
                evidence: dict[str, Any] = {
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
        licence_valid_to: date | None = None
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
            if well_formed and name in ("production_date", "licence_valid_to"):
                try:
                    day = date.fromisoformat(text)
                except ValueError:
                    well_formed = False
                else:
                    if name == "production_date":
                        produced = day
                    else:
                        licence_valid_to = day
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
        today = facts.today
        if licence_valid_to is not None and licence_valid_to < today:
            problems.append(self.licence_expired(facts, spec, values, licence_valid_to))
        if produced is None:
            return problems
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

    def licence_expired(
        self,
        facts: ListingFacts,
        spec: CategoryLabel,
        values: Mapping[str, str | None],
        valid_to: date,
    ) -> Problem:
        """The production licence on the label ran out before today: goods made since were
        made without one."""
        fields = self.rules.label.fields
        evidence = {
            "licence_name": spec.licence.name if spec.licence else fields["licence_number"].name,
            "licence_number": values.get("licence_number") or "",
            "licence_valid_to": valid_to.isoformat(),
            "today": facts.today.isoformat(),
            "production_date": values.get("production_date"),
        }
        extra = spec.licence.legal_basis if spec.licence else ()
        return self.problem(
            "three_no.licence_expired", "label.licence_valid_to", evidence, extra_basis=extra
        )

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
                self.catalogue.document_name(code) for code in group
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
        in_window += [(at, fen) for at, fen in facts.charged_prices if window_start <= at < now]
        if in_window:
            lowest_at, lowest = min(in_window, key=lambda sale: (sale[1], sale[0]))
            reference, compared_with = rules.references.window, "window"
        elif history:
            lowest_at, lowest = history[-1]
            reference, compared_with = rules.references.last_before_window, "last_before_window"
        else:
            evidence: dict[str, Any] = {"original_fen": original}
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
