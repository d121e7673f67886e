"""QR payload classes (data/qr_payloads.yaml): every example runs, every quote is checked."""

from __future__ import annotations

import pytest

from liveguard.live.payloads import (
    PayloadFileError,
    PayloadKind,
    classify_payload,
    parse,
    payload_rules,
)

RULES = payload_rules()
MATCHES = [(rule.id, text) for rule in RULES for text in rule.examples.match]
NO_MATCHES = [(rule.id, text) for rule in RULES for text in rule.examples.no_match]


@pytest.mark.parametrize(("rule_id", "payload"), MATCHES)
def test_each_example_is_classified_by_its_entry(rule_id: str, payload: str) -> None:
    match = classify_payload(payload)
    assert match.rule is not None and match.rule.id == rule_id
    assert match.is_diversion and match.legal_basis


@pytest.mark.parametrize(("rule_id", "payload"), NO_MATCHES)
def test_each_counter_example_escapes_its_entry(rule_id: str, payload: str) -> None:
    match = classify_payload(payload)
    assert match.rule is None or match.rule.id != rule_id


def test_the_shipped_file_names_every_off_platform_kind() -> None:
    kinds = {rule.kind for rule in RULES}
    assert kinds == set(PayloadKind) - {PayloadKind.url, PayloadKind.text}


def test_an_unknown_link_is_a_plain_url_and_anything_else_text() -> None:
    assert classify_payload("https://www.example.com/a").kind is PayloadKind.url
    assert classify_payload("  https://www.example.com/a ").rule is None
    assert classify_payload("SKU 2024-08-1234").kind is PayloadKind.text
    assert classify_payload("SKU 2024-08-1234").to_dict()["rule"] is None


def test_a_payload_is_matched_from_its_start_only() -> None:
    # a shop link quoted inside a text is a text, not a QR code leading there
    assert classify_payload("扫码 https://qr.alipay.com/fkx1").kind is PayloadKind.text


GOOD_ENTRY = """
entries:
  - id: qr.test_pay
    kind: wechat_pay
    severity: critical
    message: 测试收款码
    patterns: ['{pattern}']
    legal_basis:
      - law: 最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（一）
        article: 5
        quote: {quote}
    examples:
      match: [wxp://a]
      no_match: [https://example.com]
"""
REAL_QUOTE = "其工作人员引导消费者通过交易平台提供的支付方式以外的方式进行支付"


def test_a_well_formed_file_parses() -> None:
    spec = parse(GOOD_ENTRY.format(pattern="wxp://", quote=REAL_QUOTE), "test.yaml")
    assert classify_payload("wxp://x", tuple(spec.entries)).kind is PayloadKind.wechat_pay


@pytest.mark.parametrize(
    ("pattern", "quote", "problem"),
    [
        ("wxp://(", REAL_QUOTE, "pattern"),
        ("wxp://", "引导消费者私下付款给主播", "quote not found"),
    ],
)
def test_a_broken_entry_is_refused_with_the_reason(pattern: str, quote: str, problem: str) -> None:
    with pytest.raises(PayloadFileError) as caught:
        parse(GOOD_ENTRY.format(pattern=pattern, quote=quote), "test.yaml")
    assert problem in str(caught.value)


def test_the_fallback_kinds_cannot_be_entries() -> None:
    text = GOOD_ENTRY.format(pattern="https://", quote=REAL_QUOTE).replace("wechat_pay", "url")
    with pytest.raises(PayloadFileError, match="fallback"):
        parse(text, "test.yaml")
