"""The intake data: every promise pattern runs its own examples; numbers in either
script; payment hints; category mappings name real categories."""

from __future__ import annotations

import pytest

from liveguard.cases import intake
from liveguard.detect.overlay import shipped_files
from liveguard.liability.facts import PromiseKind
from liveguard.live import payloads
from liveguard.live.payloads import PayloadKind
from liveguard.parties.qualifications import catalogue

EXAMPLES = [
    (rule.kind, text, n) for rule in intake.rules().promises for text, n in rule.examples.items()
]


@pytest.mark.parametrize(("kind", "text", "n"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_every_promise_example_is_found_with_its_number(kind, text, n):
    found = [p for p in intake.find_promises(text) if p.kind is kind]
    rule = next(r for r in intake.rules().promises if r.kind is kind)
    if n is None and rule.more_than is not None:
        assert found == []  # e.g. 七天无理由 restates the law: no promise beyond it
        return
    assert len(found) == 1
    assert found[0].n == n
    assert found[0].quote in text  # quoted verbatim, not in normalised form


@pytest.mark.parametrize(
    ("text", "value"),
    [("十", 10), ("十5", 15), ("3十", 30), ("两", 2), ("1百", 100), ("30", 30), ("2十5", 25)],
)
def test_numbers_as_the_normaliser_leaves_them(text, value):
    assert intake.number(text) == value


def test_a_promise_is_quoted_as_said_even_in_traditional_script():
    [promise] = intake.find_promises("保證正品，假一賠十！")
    assert (promise.kind, promise.n, promise.quote) == (PromiseKind.fake_multiple, 10, "假一賠十")


def test_ordinary_words_make_no_promise():
    assert intake.find_promises("支持七天无理由退货，质量问题包退换") == []


def test_payment_hints_read_variants():
    assert intake.payment_hint("看屏幕上的二维码，扫码直接付款").value == "wechat_qr"
    assert intake.payment_hint("直接支付宝转给我") is not None
    assert intake.payment_hint("点击下方小黄车购买") is None


def test_every_category_mapped_is_a_category_parties_knows():
    known = {c.code for c in catalogue().categories}
    assert set(intake.rules().categories) <= known


def test_every_diversion_category_is_one_that_shipped_rules_and_qr_payloads_find():
    shipped = {file.category for file in shipped_files() if file.rules}
    assert set(intake.rules().diversion_categories) <= shipped
    assert {payloads.CATEGORY} <= set(intake.rules().diversion_categories)


def test_qr_payments_name_payload_kinds_that_are_ways_to_pay():
    kinds = {str(kind) for kind in PayloadKind}
    assert set(intake.rules().qr_payments) <= kinds
    assert intake.rules().qr_payments["wechat_pay"] == "wechat_qr"


def test_a_replacement_period_is_counted_in_days():
    found = {p.kind: p.n for p in intake.find_promises("本品半年内质量问题换新，有问题找直播间")}
    assert found == {PromiseKind.replace_within: 180, PromiseKind.room_answers: None}
