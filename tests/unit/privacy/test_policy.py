"""The privacy rules as data: every example of the send gate holds, every quote is in its
article (checked by the loader), every kind has its words, and the gate decides a batch
the same way as one buyer at a time."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from liveguard.privacy import policy as rules
from liveguard.privacy.enums import Channel, Refusal, RequestKind

POLICY = rules.policy()


@pytest.mark.parametrize("example", POLICY.examples, ids=lambda e: e.name)
def test_the_gate_does_what_each_example_says(example):
    assert rules.run_example(example, POLICY) == example.expect


def test_every_refusal_and_channel_has_words_and_a_basis():
    for reason in Refusal:
        assert POLICY.refusal(reason).legal_basis
    for channel in Channel:
        assert POLICY.cap(channel).legal_basis
    for kind in RequestKind:
        assert POLICY.request_rule(kind).working_days > 0


def test_a_batch_is_decided_as_the_buyers_would_be_one_by_one():
    chance = random.Random(7)
    recipients = [chance.randrange(50) for _ in range(400)]
    live = {c: c + 1000 for c in range(50) if c % 3}
    withdrawn = {c for c in range(50) if c % 3 == 0 and c % 2}
    sent = {c: chance.randrange(3) for c in range(50)}
    cap = POLICY.cap(Channel.sms)
    batch = rules.decide(
        recipients, live=live, withdrawn=withdrawn, sent=sent, cap=cap, quiet=False
    )
    counted = dict(sent)
    for consumer_id, (same_id, refusal, _) in zip(recipients, batch, strict=True):
        assert same_id == consumer_id
        [(_, alone, _)] = rules.decide(
            [consumer_id], live=live, withdrawn=withdrawn, sent=counted, cap=cap, quiet=False
        )
        assert refusal == alone
        if alone is None:
            counted[consumer_id] = counted.get(consumer_id, 0) + 1


@pytest.mark.parametrize("quiet", [False, True])
def test_a_batch_without_repeats_is_decided_by_arrays_as_one_by_one(quiet):
    chance = random.Random(11)
    recipients = list(range(1, 3001))
    chance.shuffle(recipients)
    live = {c: c + 50_000 for c in range(1, 4001) if chance.random() < 0.6}
    withdrawn = {c for c in range(1, 4001) if c not in live and chance.random() < 0.3}
    sent = {c: chance.randrange(4) for c in range(1, 4001) if chance.random() < 0.5}
    cap = POLICY.cap(Channel.sms)
    arrays = rules.decide(
        recipients, live=live, withdrawn=withdrawn, sent=sent, cap=cap, quiet=quiet
    )
    in_order = rules._decide_in_order(recipients, live, withdrawn, sent, cap.limit, quiet)
    assert arrays == in_order
    every = {None, Refusal.no_consent, Refusal.withdrawn, Refusal.cap_reached}
    assert {r for _, r, _ in arrays} >= ({Refusal.quiet_hours} if quiet else every)


def test_quiet_hours_are_read_in_beijing_time():
    quiet = POLICY.marketing.quiet_hours
    assert quiet.covers(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # 22:00 in Beijing
    assert not quiet.covers(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 10:00 in Beijing


def test_the_unsubscribe_footer_names_the_shop_and_the_link():
    from liveguard.privacy import service

    line = service.footer(shop_name="美妆小店", url="https://x/u/abc")
    assert "美妆小店" in line and "https://x/u/abc" in line and "退订" in line
