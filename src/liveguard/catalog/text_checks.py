"""The checks of a listing's texts, from what the two scans found in them: claims (the
detect package's rules) and the lexicons of ``data/lexicons.yaml`` (prohibited goods,
placeholder links, unfair standard terms). ``checks.Reviewer`` runs the scans in batches
and hands each listing's findings here."""

from __future__ import annotations

from liveguard.catalog import review_rules as data
from liveguard.catalog.fact_checks import Checks
from liveguard.catalog.facts import ListingFacts, Problem
from liveguard.catalog.review_rules import LexiconKind, ReviewRules, TextField
from liveguard.detect.engine import Finding

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


class TextChecks:
    """Problems from the findings in one listing's texts."""

    def __init__(self, rules: ReviewRules, lexicons: data.Lexicons, checks: Checks) -> None:
        self.rules = rules
        self.checks = checks
        self.entries = {e.id: e for e in lexicons.entries}
        self.entry_fields = {
            e.id: frozenset(str(f) for f in e.fields) for e in self.entries.values()
        }
        self.field_names = {str(f): name for f, name in rules.text_fields.items()}
        self.placeholder_min = rules.placeholder_link.min_description_chars

    def claims(self, found: Texts) -> list[Problem]:
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

    def phrases(self, facts: ListingFacts, found: Texts) -> list[Problem]:
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
                    kind is LexiconKind.placeholder_marker and self.described(facts)
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
            # the lexicon's validator requires both of every entry but a return exemption
            assert entry.severity is not None and entry.message is not None
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

    def described(self, facts: ListingFacts) -> bool:
        """Whether the page itself says what is sold: a product name on the label and a
        description of some substance."""
        return (
            self.checks.value(facts, "product_name") is not None
            and len(facts.description.strip()) >= self.placeholder_min
        )
