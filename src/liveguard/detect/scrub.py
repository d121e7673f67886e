"""Personal information out of texts that leave their writer: find it, mask it.

A text a person typed (a viewer's chat line, a staff decision, a party's answer) may hold
someone's phone number, ID number, bank card or home address. Before such a text is shown
to the public or written in clear into a ledger leaf, the shipped ``personal_info`` rules
find those spans and each is masked in place (``138****5678``), keeping the text's length
so every offset into the original (a finding's span) is still right in the masked text.

Only the pattern rules of that one category run here: other categories' rules are
disabled, so a phone number in an invitation (which ``personal_info.mobile`` yields to
as ``diversion``) is still found, and the classifier, which cannot say where in the text
the data is, masks nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from liveguard.detect import ruleset as rulesets
from liveguard.detect.engine import MAX_TEXT, Detector
from liveguard.parties.identifiers import mask

CATEGORY = "personal_info"
_OVERLAP = 200  # characters two windows of a long text share
_DIGITS_FROM = 11  # a span with this many digits is a number: keep its ends (138****5678)


@dataclass(frozen=True)
class Span:
    rule: str
    start: int
    end: int


@dataclass(frozen=True)
class Scrubbed:
    """A text with its personal information masked, and where that was."""

    text: str
    spans: tuple[Span, ...]

    @property
    def changed(self) -> bool:
        return bool(self.spans)


_detector: Detector | None = None
_building = threading.Lock()


def detector() -> Detector:
    """The shipped rules with only ``personal_info``'s pattern rules enabled (built once)."""
    global _detector
    if _detector is None:
        with _building:
            if _detector is None:
                compiled = rulesets.packaged()
                off = frozenset(
                    rule.id
                    for rule in compiled.rules
                    if rule.category != CATEGORY or rule.spec.model is not None
                )
                _detector = Detector(compiled, disabled=off)
    return _detector


def mask_span(quote: str) -> str:
    """One span masked, its length kept: numbers keep 3 digits in front and 4 at the end,
    anything else (an address) is masked whole."""
    if sum(ch.isdigit() for ch in quote) >= _DIGITS_FROM:
        return mask(quote, keep_start=3, keep_end=4)
    return "*" * len(quote)


def _windows(text: str) -> list[tuple[int, str]]:
    """The text in pieces the detector takes, overlapping so no span falls between two."""
    if len(text) <= MAX_TEXT:
        return [(0, text)]
    step = MAX_TEXT - _OVERLAP
    return [(start, text[start : start + MAX_TEXT]) for start in range(0, len(text), step)]


def scrub_many(texts: Sequence[str]) -> list[Scrubbed]:
    """Each text with the personal information found in it masked."""
    pieces = [
        (n, offset, window) for n, text in enumerate(texts) for offset, window in _windows(text)
    ]
    found: list[set[Span]] = [set() for _ in texts]
    if pieces:
        hits = detector().detect_many([window for _, _, window in pieces])
        for (n, offset, _), findings in zip(pieces, hits, strict=True):
            found[n].update(
                Span(f.rule.id, offset + f.start, offset + f.end)
                for f in findings
                if f.rule.category == CATEGORY and f.end > f.start
            )
    results = []
    for text, spans in zip(texts, found, strict=True):
        masked = list(text)
        for span in spans:
            masked[span.start : span.end] = mask_span(text[span.start : span.end])
        ordered = tuple(sorted(spans, key=lambda span: (span.start, span.end, span.rule)))
        results.append(Scrubbed("".join(masked), ordered))
    return results


def scrub(text: str) -> Scrubbed:
    """``text`` with the personal information found in it masked."""
    return scrub_many([text])[0]
