"""Normalisation offsets, over any text: the base view keeps the original's length and
offsets (one code point for one), and every span of the compact view maps back to the span
of the original it was made from."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from liveguard.detect import normalize

FAST = settings(max_examples=150, deadline=None)
# Any text, weighted towards what a live room writes: Chinese (simplified and
# traditional), full-width and circled digits, look-alike letters, separators, emoji.
ROOM_CHARS = "加微信聯繫我一三八零幺壹贰 ＶＸ：ＡＢＣ１２３①③⑧❶𝐰𝐱ⓦхV-_.\u200b\u200c·、，🛰\t\n"
TEXT = st.text(st.one_of(st.sampled_from(ROOM_CHARS), st.characters()), max_size=60)


@pytest.fixture(scope="module")
def norm() -> normalize.Normaliser:
    return normalize.default()


@FAST
@given(text=TEXT)
def test_the_base_view_maps_each_character_to_one(norm, text):
    result = norm(text)
    assert result.original == text
    assert len(result.base) == len(text)
    assert all(result.base[i] == norm.char(ch) for i, ch in enumerate(text))


@FAST
@given(text=TEXT, data=st.data())
def test_every_compact_span_maps_back_to_the_original_it_came_from(norm, text, data):
    result = norm(text)
    kept = list(range(len(text))) if result.kept is None else [int(i) for i in result.kept]
    assert [result.base[i] for i in kept] == list(result.compact)
    assert kept == sorted(set(kept))
    if not result.compact:
        return
    start = data.draw(st.integers(0, len(result.compact) - 1))
    end = data.draw(st.integers(start + 1, len(result.compact)))
    base_start, base_end = result.base_span("compact", start, end)
    assert 0 <= base_start < base_end <= len(text)
    # The original span normalises to the compact span (separators inside it dropped).
    assert norm(text[base_start:base_end]).compact == result.compact[start:end]
    assert result.base_span("base", start, end) == (start, end)


@FAST
@given(text=TEXT)
@example(text="薴麻")  # OpenCC: 薴 -> 苧, and 苧 -> 苎; the table follows the chain to its end
def test_normalising_twice_changes_nothing_more(norm, text):
    once = norm(text)
    assert norm(once.base).base == once.base
    assert norm(once.compact).compact == once.compact
