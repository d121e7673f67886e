"""Enforcement policy as data: what a finding calls for, and the file's own checks."""

from __future__ import annotations

import pytest

from liveguard.enforcement import policy
from liveguard.enforcement.models import ActionKind
from liveguard.legal import quote_problem

POLICIES = policy.load()


def kinds(**finding):
    defaults = {"rule": "diversion.contact_invite", "category": "diversion", "severity": "high"}
    defaults.update(quote="加V", repeat=1, history=0)
    defaults.update(finding)
    return [d.kind for d in policy.decide(**defaults)]


def test_a_first_diversion_warns_the_viewers_and_the_anchor():
    assert kinds() == [ActionKind.viewer_warning, ActionKind.warn_anchor]


def test_a_third_diversion_in_the_session_suspends_the_room_and_escalates():
    assert {ActionKind.suspend_room, ActionKind.escalate} <= set(kinds(repeat=3))


def test_an_anchor_with_a_history_is_escalated_at_the_first_finding():
    assert ActionKind.escalate in kinds(history=2)
    assert ActionKind.escalate not in kinds(history=1)


def test_a_low_severity_diversion_is_below_every_policy():
    assert kinds(severity="low") == []


def test_a_price_trick_pulls_the_listing():
    assert ActionKind.pull_listing in kinds(
        rule="listing.changed_midstream", category="price_fraud"
    )


def test_the_banner_is_plain_consumer_text_and_the_anchor_message_names_the_rule():
    decisions = policy.decide(
        rule="diversion.contact_invite",
        category="diversion",
        severity="high",
        quote="加V",
        repeat=1,
        history=0,
    )
    banner, message = (d.text or "" for d in decisions)
    assert "请勿私下转账" in banner and "Do not pay outside the platform" in banner
    assert "diversion.contact_invite" in message and "加V" in message


def test_every_legal_basis_in_the_policy_file_quotes_its_article():
    bases = [b for p in POLICIES.policies for b in p.legal_basis]
    assert [quote_problem(b) for b in bases] == [None] * len(bases)


def test_a_policy_that_warns_viewers_without_a_banner_is_refused():
    data = POLICIES.model_dump()
    data["policies"][0]["banner"] = None
    with pytest.raises(ValueError, match="needs a banner"):
        policy.PolicyFile.model_validate(data)


def test_a_banner_that_does_not_exist_is_refused():
    data = POLICIES.model_dump()
    data["policies"][0]["banner"] = "nonexistent"
    with pytest.raises(ValueError, match="not in banners"):
        policy.PolicyFile.model_validate(data)
