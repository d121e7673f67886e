"""Personal information out of texts that leave their writer: find it, mask it.

A text a person typed (a viewer's chat line, a staff decision, a party's answer) may hold
someone's phone number, ID number, bank card or home address. Before such a text is shown
to the public or written in clear into a ledger leaf, the shipped ``personal_info`` rules
find those spans and each is masked in place (``138****5678``), keeping the text's length
so every offset into the original (a finding's span) is still right in the masked text.

Only the pattern rules of that one category run for a text anyone typed: other
categories' rules are disabled, so a phone number in an invitation (which
``personal_info.mobile`` yields to as ``diversion``) is still masked, and the classifier,
which cannot say where in the text the data is, masks nothing. The seller's own words
(a context naming a seller's role: an anchor's speech) are read as the monitor reads
them, the rules the category yields to enabled too: the shop's own number in an
invitation is diversion evidence, not someone's personal data, while a winner's number
read out is masked.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from liveguard.detect import ruleset as rulesets
from liveguard.detect.engine import MAX_TEXT, Context, Detector
from liveguard.detect.rulefile import Role

CATEGORY = "personal_info"
SELLERS = frozenset({Role.anchor, Role.assistant, Role.merchant})  # whose numbers may be ads
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


_detectors: dict[bool, Detector] = {}
_building = threading.Lock()


def detector(*, yielding: bool = False) -> Detector:
    """The shipped rules with only ``personal_info``'s pattern rules enabled, and with
    ``yielding`` the rules they yield to as well (each built once)."""
    if yielding not in _detectors:
        with _building:
            if yielding not in _detectors:
                compiled = rulesets.packaged()
                on = {CATEGORY}
                if yielding:
                    on |= {n for r in compiled.rules if r.category == CATEGORY for n in r.yields_to}
                off = frozenset(
                    rule.id
                    for rule in compiled.rules
                    if not ({rule.category, rule.id} & on) or rule.spec.model is not None
                )
                _detectors[yielding] = Detector(compiled, disabled=off)
    return _detectors[yielding]


def _number_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()  # digits, and the X of an ID number


def mask_span(quote: str) -> str:
    """One span masked, its length kept: in a number (a phone, an ID, a card) the digits
    but the first 3 and the last 4, the words around it left (``恭喜 139****5678``);
    anything else (an address, a number in words) masked whole."""
    places = [i for i, ch in enumerate(quote) if _number_char(ch)]
    if len(places) < _DIGITS_FROM:
        return "*" * len(quote)
    hidden = set(places[3 : len(places) - 4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(quote))


def _merged(spans: set[Span]) -> list[tuple[int, int]]:
    """The ranges the spans cover, overlapping ones joined (masked as one)."""
    ranges: list[tuple[int, int]] = []
    for start, end in sorted((span.start, span.end) for span in spans):
        if ranges and start < ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))
    return ranges


def _windows(text: str) -> list[tuple[int, str]]:
    """The text in pieces the detector takes, overlapping so no span falls between two."""
    if len(text) <= MAX_TEXT:
        return [(0, text)]
    step = MAX_TEXT - _OVERLAP
    return [(start, text[start : start + MAX_TEXT]) for start in range(0, len(text), step)]


def scrub_many(texts: Sequence[str], contexts: Sequence[Context] | None = None) -> list[Scrubbed]:
    """Each text with the personal information found in it masked; a text whose context
    names a seller's role is read as the seller's own words (see above)."""
    contexts = contexts or [Context()] * len(texts)
    found: list[set[Span]] = [set() for _ in texts]
    for yielding in (False, True):
        pieces = [
            (n, offset, window)
            for n, (text, context) in enumerate(zip(texts, contexts, strict=True))
            if (context.role in SELLERS) is yielding
            for offset, window in _windows(text)
        ]
        if not pieces:
            continue
        hits = detector(yielding=yielding).detect_many(
            [window for _, _, window in pieces], [contexts[n] for n, _, _ in pieces]
        )
        for (n, offset, _), findings in zip(pieces, hits, strict=True):
            found[n].update(
                Span(f.rule.id, offset + f.start, offset + f.end)
                for f in findings
                if f.rule.category == CATEGORY and f.end > f.start
            )
    results = []
    for text, spans in zip(texts, found, strict=True):
        masked = list(text)
        for start, end in _merged(spans):
            masked[start:end] = mask_span(text[start:end])
        ordered = tuple(sorted(spans, key=lambda span: (span.start, span.end, span.rule)))
        results.append(Scrubbed("".join(masked), ordered))
    return results


def scrub(text: str) -> Scrubbed:
    """``text`` with the personal information found in it masked."""
    return scrub_many([text])[0]
