"""Parties named in a post: the data file's examples, and LiveGuard's parties found by
their names, pinyin, initials and homophones."""

from __future__ import annotations

import pytest

from liveguard.opinion import naming
from liveguard.opinion.enums import PartyKind

KNOWN = naming.Directory.of(
    [
        naming.Known(PartyKind.anchor, 7, "李佳琦", ()),
        naming.Known(PartyKind.merchant, 3, "暖冬服饰旗舰店", ("苏州暖冬服饰有限公司",)),
        naming.Known(PartyKind.platform, 1, "星河直播", ("xinghe",)),
    ]
)


@pytest.mark.parametrize("example", naming.parties_file().examples, ids=lambda e: e.text)
def test_the_data_files_examples_hold(example: naming.NamingExample) -> None:
    found = {(f.kind, f.name) for f in naming.extract(example.text)}
    assert {(p.kind, p.name) for p in example.parties} <= found


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("李佳琦直播间买的面膜是假的", "李佳琦"),
        ("在李佳奇的直播间买的", "李佳奇"),  # a homophone
        ("ljq推荐的东西翻车了", "ljq"),  # initials
        ("LiJiaQi 又卖假货", "lijiaqi"),  # pinyin, any case
    ],
)
def test_an_anchor_is_linked_by_the_ways_buyers_write_the_name(text: str, written: str) -> None:
    [found] = [f for f in naming.extract(text, KNOWN) if f.kind is PartyKind.anchor]
    assert (found.name, found.party_id, found.written) == ("李佳琦", 7, written)


def test_a_shop_is_linked_without_its_suffix_and_in_traditional_characters() -> None:
    for text in ("暖冬服饰的羽绒服跑绒", "這家暖冬服飾旗艦店太坑了"):
        merchants = [f for f in naming.extract(text, KNOWN) if f.kind is PartyKind.merchant]
        assert [(f.name, f.party_id) for f in merchants] == [("暖冬服饰旗舰店", 3)]


def test_initials_inside_a_longer_word_are_not_a_name() -> None:
    assert not [f for f in naming.extract("help ljqx", KNOWN) if f.kind is PartyKind.anchor]


def test_unknown_shops_and_anchors_are_kept_as_written() -> None:
    found = {
        (f.kind, f.name, f.party_id) for f in naming.extract("三只羊旗舰店和@小杨哥 都在卖", KNOWN)
    }
    assert (PartyKind.merchant, "三只羊旗舰店", None) in found
    assert (PartyKind.anchor, "小杨哥", None) in found


def test_words_that_only_sit_before_a_shop_word_are_not_names() -> None:
    found = naming.extract("直播间说最低价，结果旗舰店日常价比直播间还便宜，他们家直播间也一样")
    assert found == []


def test_a_shop_is_linked_by_its_name_without_what_it_sells() -> None:
    shops = naming.Directory.of(
        [
            naming.Known(PartyKind.merchant, 5, "燕之初滋补食品店", ()),
            naming.Known(PartyKind.merchant, 6, "老字号酒坊", ()),
        ]
    )
    [found] = naming.extract("燕之初的即食燕窝检测是糖水", shops)
    assert (found.name, found.party_id, found.written) == ("燕之初滋补食品店", 5, "燕之初")
    assert naming.extract("老字号的东西就是好", shops) == []  # a word, not the shop
