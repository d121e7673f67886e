"""Scanning a normalised text with a compiled rule set, and turning hits into findings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from liveguard.detect import normalize, validators
from liveguard.detect.rulefile import Role, Source
from liveguard.detect.ruleset import Rule, RuleSet

MAX_TEXT = 20_000  # characters; a live utterance or listing text is far shorter
SENTENCE_END = frozenset("。！？!?；;\n")


@dataclass(frozen=True)
class Context:
    role: Role | None = None
    category: str | None = None
    source: Source | None = None


@dataclass(frozen=True)
class Finding:
    rule: Rule
    start: int  # offsets into the original text
    end: int
    quote: str  # the original text of the span, exactly as written
    normalised: str  # what matched, after normalisation
    ruleset_version: str


def _names(rule: Rule) -> frozenset[str]:
    return frozenset((rule.id, rule.category))


def _warned(rule: Rule, start: int, end: int, spans: set | None, original: str) -> bool:
    """Whether one of the rule's warning words sits close by, in the same sentence."""
    if not spans:
        return False
    within = rule.spec.unless_near.within
    for w_start, w_end in spans:
        gap_start, gap_end = min(w_end, end), max(w_start, start)
        if gap_end - gap_start <= within and not SENTENCE_END.intersection(
            original[gap_start:gap_end]
        ):
            return True
    return False


def applies(rule: Rule, context: Context) -> bool:
    if rule.roles is not None and context.role is not None and context.role not in rule.roles:
        return False
    if (
        rule.sources is not None
        and context.source is not None
        and context.source not in rule.sources
    ):
        return False
    if context.category is not None:
        if rule.categories is not None and context.category not in rule.categories:
            return False
        if context.category in rule.except_categories:
            return False
    return True


def _is_token_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _char_offsets(text: str, data: bytes, byte_offsets: np.ndarray) -> np.ndarray:
    if len(data) == len(text):  # ASCII: bytes are characters
        return byte_offsets
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    widths = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
    starts = np.concatenate(([0], np.cumsum(widths)))
    return np.searchsorted(starts, byte_offsets)


class Detector:
    def __init__(self, ruleset: RuleSet, disabled: frozenset[str] = frozenset()) -> None:
        self.ruleset = ruleset
        self.disabled = disabled
        self.normaliser = normalize.default()
        self.scratch = None

    def _scan(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern id, start, end) in characters of ``text``."""
        data = text.encode("utf-8", "surrogatepass")
        raw: list[tuple[int, int, int]] = []
        self.ruleset.database.scan(
            data, match_event_handler=lambda i, frm, to, _f, _c: raw.append((i, frm, to))
        )
        if not raw:
            return raw
        patterns = self.ruleset.patterns
        ids = [i for i, _, _ in raw]
        begins = np.array(
            [
                to - patterns[i].literal_bytes if patterns[i].literal_bytes else frm
                for i, frm, to in raw
            ]
        )
        ends = np.array([to for _, _, to in raw])
        begins = _char_offsets(text, data, begins)
        ends = _char_offsets(text, data, ends)
        return list(zip(ids, begins.tolist(), ends.tolist(), strict=True))

    def detect(self, text: str, context: Context = Context()) -> list[Finding]:
        normalised = self.normaliser(text)
        return self.detect_normalised(normalised, context)

    def detect_normalised(
        self, normalised: normalize.Normalised, context: Context
    ) -> list[Finding]:
        views = [("base", normalised.base)]
        if normalised.kept is not None:
            views.append(("compact", normalised.compact))
        ruleset = self.ruleset
        candidates: dict[tuple[int, int, int], str] = {}
        covers: list[tuple[str, int, int, int]] = []  # (kind, owner, start, end) in base
        near: dict[tuple[int, str], set[tuple[int, int]]] = {}
        warnings: dict[int, set[tuple[int, int]]] = {}  # rule index -> unless_near spans
        for view, text in views:
            for pattern_id, start, end in self._scan(text):
                pattern = ruleset.patterns[pattern_id]
                span = normalised.base_span(view, start, end)
                if pattern.kind in ("allow", "unless"):
                    covers.append((pattern.kind, pattern.owner, *span))
                    continue
                if pattern.kind == "unless_near":
                    warnings.setdefault(pattern.owner, set()).add(span)
                    continue
                rule = ruleset.rules[pattern.owner]
                if rule.view not in ("any", view) or rule.id in self.disabled:
                    continue
                if _is_token_char(text[start]) and start > 0 and _is_token_char(text[start - 1]):
                    continue  # "sb" inside "disburse": Latin and digits match whole tokens
                if _is_token_char(text[end - 1]) and end < len(text) and _is_token_char(text[end]):
                    continue
                if not applies(rule, context):
                    continue
                matched = text[start:end]
                checked = pattern.kind == "rule" or not pattern.literal_bytes  # not a near word
                if rule.validator and checked and not validators.check(rule.validator, matched):
                    continue
                if pattern.kind != "rule":
                    near.setdefault((pattern.owner, pattern.kind), set()).add(span)
                    continue
                candidates.setdefault((pattern.owner, *span), matched)
        for (rule_index, kind), firsts in near.items():
            thens = near.get((rule_index, "near_b"))
            if kind == "near_a" and thens:
                rule = ruleset.rules[rule_index]
                for span in self._pairs(rule, firsts, thens, normalised.original):
                    candidates.setdefault((rule_index, *span), normalised.base[span[0] : span[1]])
        kept = [
            (key, matched)
            for key, matched in candidates.items()
            if not self._covered(key[0], ruleset.rules[key[0]], key[1], key[2], covers)
            and not _warned(
                ruleset.rules[key[0]], key[1], key[2], warnings.get(key[0]), normalised.original
            )
        ]
        kept = self._after_yielding(kept)
        findings: list[Finding] = []
        for (rule_index, start, end), matched in sorted(kept, key=lambda c: (c[0][1], c[0][0])):
            rule = ruleset.rules[rule_index]
            # overlapping hits of one category read as one finding, under the first rule
            for position in range(len(findings) - 1, -1, -1):
                previous = findings[position]
                if previous.rule.category == rule.category and start < previous.end:
                    if end > previous.end:
                        findings[position] = self._finding(
                            previous.rule, previous.start, end, normalised, previous.normalised
                        )
                    break
            else:
                findings.append(self._finding(rule, start, end, normalised, matched))
        return findings

    @staticmethod
    def _pairs(rule: Rule, firsts, thens, original: str) -> list[tuple[int, int]]:
        """Spans where a ``near.first`` hit and a ``near.then`` hit share a sentence."""
        spec = rule.spec.near
        found = []
        for a_start, a_end in firsts:
            for b_start, b_end in thens:
                if spec.ordered and b_start < a_start:
                    continue
                gap_start, gap_end = min(a_end, b_end), max(a_start, b_start)
                if gap_end - gap_start > spec.within:
                    continue
                if SENTENCE_END.intersection(original[gap_start:gap_end]):
                    continue
                found.append((min(a_start, b_start), max(a_end, b_end)))
        return found

    def _after_yielding(self, kept: list) -> list:
        """Drop the findings of rules that yield to another finding in the same text: a
        phone number is personal data unless it is the seller's own in an invitation, and
        an invitation's number is someone else's when they are congratulated or named."""
        rules = self.ruleset.rules
        decided = [item for item in kept if not rules[item[0][0]].yields_to]
        pending = [item for item in kept if rules[item[0][0]].yields_to]
        names = {name for item in decided for name in _names(rules[item[0][0]])}
        while pending:
            waiting = []
            for item in pending:
                rule = rules[item[0][0]]
                if rule.yields_to & names:
                    continue
                if any(
                    other is not item and rule.yields_to & _names(rules[other[0][0]])
                    for other in pending
                ):
                    waiting.append(item)  # decide once what it yields to is decided
                else:
                    decided.append(item)
                    names |= _names(rule)
            if len(waiting) == len(pending):  # a cycle of yielding rules: keep them all
                decided += waiting
                break
            pending = waiting
        return decided

    def _covered(self, rule_index: int, rule: Rule, start: int, end: int, covers) -> bool:
        scopes = self.ruleset.allow_scopes
        for kind, owner, c_start, c_end in covers:
            if c_start > start or c_end < end:
                continue
            if kind == "unless" and owner == rule_index:
                return True
            if kind == "allow" and scopes[owner] in (None, rule.category):
                return True
        return False

    def _finding(self, rule: Rule, start: int, end: int, normalised, matched: str) -> Finding:
        return Finding(
            rule=rule,
            start=start,
            end=end,
            quote=normalised.original[start:end],
            normalised=matched,
            ruleset_version=self.ruleset.version,
        )
