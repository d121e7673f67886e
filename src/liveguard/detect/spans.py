"""Span arithmetic for the engine: sentences, nearness, whole tokens, byte offsets."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np

from liveguard.detect.ruleset import Rule

SENTENCE_END = frozenset("。！？!?；;\n")
CLAUSE_END = SENTENCE_END | frozenset("，,：:")
# per code point, for the compiled kernels: 1 ends a sentence, 2 ends a clause (both: 3)
PUNCTUATION = np.zeros(0x110000, dtype=np.uint8)
PUNCTUATION[[ord(ch) for ch in CLAUSE_END]] = 2
PUNCTUATION[[ord(ch) for ch in SENTENCE_END]] = 3
# A question mark is the one clause end a negation cue that follows a match reaches across:
# a question answered with a denial ("这个能降血压吗？不能哈", "全网最低？这话我可不敢说")
# (bit 4, for the kernels)
QUESTION = frozenset("？?")
PUNCTUATION[[ord(ch) for ch in QUESTION]] |= 4


def gap_is_close(a: tuple[int, int], b: tuple[int, int], within: int, original: str) -> bool:
    """Whether two spans are at most ``within`` characters apart, in one sentence."""
    gap_start, gap_end = min(a[1], b[1]), max(a[0], b[0])
    return gap_end - gap_start <= within and not SENTENCE_END.intersection(
        original[gap_start:gap_end]
    )


def warned(
    rule: Rule,
    start: int,
    end: int,
    warnings: tuple[list[tuple[int, int]], int] | None,
    original: str,
) -> bool:
    """Whether one of the rule's warning words sits close by, in the same sentence.
    ``warnings``: the rule's warning spans, sorted, and the longest one's length."""
    if not warnings:
        return False
    spans, longest = warnings
    assert rule.spec.unless_near is not None  # only a rule with warning words has their spans
    within = rule.spec.unless_near.within
    low = bisect_left(spans, (start - within - longest,))
    high = bisect_right(spans, (end + within + 1,))
    return any(gap_is_close(span, (start, end), within, original) for span in spans[low:high])


def pairs(
    rule: Rule, firsts: list[tuple[int, int]], thens: list[tuple[int, int]], original: str
) -> list[tuple[int, int]]:
    """Spans where a ``near.first`` hit and a ``near.then`` hit share a sentence."""
    spec = rule.spec.near
    assert spec is not None  # only a near rule has near_a and near_b hits
    thens = sorted(thens)
    then_starts = [b_start for b_start, _ in thens]
    longest = max(b_end - b_start for b_start, b_end in thens)
    found = []
    for a_start, a_end in firsts:
        low = bisect_left(then_starts, a_start - spec.within - longest)
        high = bisect_right(then_starts, a_end + spec.within)
        for b_start, b_end in thens[low:high]:
            if spec.ordered and b_start < a_start:
                continue
            if gap_is_close((a_start, a_end), (b_start, b_end), spec.within, original):
                found.append((min(a_start, b_start), max(a_end, b_end)))
    return found


def _is_token_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def token_edge(base: str, original: str, left: int, right: int) -> bool:
    """Whether positions ``left`` and ``right`` are both inside one Latin word or number,
    as written: 唯一一款 folds to 唯11款, but its 一 are words, not a number's digits."""
    return (
        _is_token_char(base[left])
        and _is_token_char(base[right])
        and not _IDEOGRAPH_START <= original[left] <= _IDEOGRAPH_END
        and not _IDEOGRAPH_START <= original[right] <= _IDEOGRAPH_END
    )


_IDEOGRAPH_START, _IDEOGRAPH_END = "\u3400", "\u9fff"


def char_map(text: str, data: bytes, found: list[tuple[int, int, int]]) -> dict[int, int]:
    """Char offset of each byte offset in ``found`` (few hits: no arrays)."""
    offsets = sorted({b for _, b, _ in found} | {e for _, _, e in found})
    if len(data) == len(text):
        return {offset: offset for offset in offsets}
    chars, previous, count = {}, 0, 0
    for offset in offsets:
        count += len(data[previous:offset].decode("utf-8", "surrogatepass"))
        chars[offset], previous = count, offset
    return chars
