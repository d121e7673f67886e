"""The personal-information scrub: what a public text or a ledger leaf holds in clear."""

from __future__ import annotations

import pytest

from liveguard.detect import service as detect_service


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我电话13912345678，快联系我", "我电话139****5678，快联系我"),
        # a number in an invitation is diversion to the full detector; still personal here
        ("加V 13912345678 私聊", "加V 139****5678 私聊"),
        ("身份证11010519491231002X", "身份证110***********002X"),
        ("寄到阳光小区3栋2单元502，谢谢", "*" * 14 + "，谢谢"),
    ],
)
def test_it_masks_personal_information_in_place(text: str, masked: str) -> None:
    scrubbed = detect_service.scrub(text)
    assert scrubbed.text == masked
    assert scrubbed.changed
    assert len(scrubbed.text) == len(text)  # offsets into the original stay right


def test_it_leaves_a_text_without_personal_information_alone() -> None:
    for text in ("138****8000 恭喜中奖", "客服电话400-820-8820", "订单号2025112312345678"):
        scrubbed = detect_service.scrub(text)
        assert scrubbed.text == text
        assert not scrubbed.changed


def test_a_masked_text_scrubs_to_itself() -> None:
    once = detect_service.scrub("恭喜 13912345678 中奖，地址文三路88号").text
    assert detect_service.scrub(once).text == once


def test_it_finds_numbers_past_the_detectors_text_limit() -> None:
    text = "好" * 19_995 + " 13912345678 " + "好" * 25_000 + " 13987654321"
    scrubbed = detect_service.scrub(text)
    assert "13912345678" not in scrubbed.text
    assert "13987654321" not in scrubbed.text
    assert [span.rule for span in scrubbed.spans] == ["personal_info.mobile"] * 2
