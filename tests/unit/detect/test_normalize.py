"""Normalisation folds every written variant and keeps the way back to the original."""

from __future__ import annotations

import pytest

from liveguard.detect import normalize


@pytest.fixture(scope="module")
def norm() -> normalize.Normaliser:
    return normalize.default()


@pytest.mark.parametrize(
    ("written", "compact"),
    [
        ("加 V 信", "加v信"),
        ("加-微-信", "加微信"),
        ("加\u200b微\u200c信", "加微信"),
        ("ＶＸ：ＡＢＣ１２３", "vxabc123"),
        ("聯繫我", "联系我"),
        ("一三八 ①③⑧ ❶", "1381381"),
        ("138-0013-8000", "13800138000"),
        ("幺三九 壹贰叁", "139123"),
        ("𝐰𝐱 ⓦⓧ", "wxwx"),
        ("wх", "wx"),  # the second letter is Cyrillic
        ("加🛰", "加🛰"),  # emoji stay: the lexicon lists those used as words
    ],
)
def test_variants_fold_to_one_form(norm, written, compact):
    assert norm(written).compact == compact


def test_the_base_view_keeps_offsets_and_the_compact_view_maps_back(norm):
    text = "宝宝们 加-微-信 下单"
    result = norm(text)
    assert len(result.base) == len(text)
    start = result.compact.index("加微信")
    begin, end = result.base_span("compact", start, start + 3)
    assert text[begin:end] == "加-微-信"


def test_text_without_separators_has_one_view(norm):
    result = norm("全网最低价")
    assert result.kept is None and result.base == result.compact == "全网最低价"


def test_lone_surrogates_do_not_crash(norm):
    assert norm("a\ud800b").base == "a\ud800b"
