"""Enforcement policy as data: what a finding calls for, and the file's own checks."""

from __future__ import annotations

import pytest

from liveguard.datafiles import DataFileError
from liveguard.detect import service as detect_service
from liveguard.enforcement import policy
from liveguard.enforcement.enums import ActionKind
from liveguard.legal import quote_problem

POLICIES = policy.load()


def kinds(speaker="anchor", repeat=1, history=0, tally=None, **finding):
    """The actions for a finding by ``speaker``; the counts all that speaker's unless a
    ``tally`` by speaker is given."""
    defaults = {"rule": "diversion.contact_invite", "category": "diversion", "severity": "high"}
    defaults.update(quote="加V", speaker=speaker)
    defaults["tally"] = tally or policy.Tally(
        repeat={speaker: repeat}, history={speaker: set(range(history))}
    )
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


def test_the_banner_is_plain_consumer_text_and_the_anchor_message_names_the_rule_in_words():
    decisions = policy.decide(
        rule="diversion.contact_invite",
        category="diversion",
        severity="high",
        quote="加V",
        speaker="anchor",
        tally=policy.Tally(repeat={"anchor": 1}),
    )
    banner, message = (d.text or "" for d in decisions)
    assert "请勿私下转账" in banner and "Do not pay outside the platform" in banner
    # the rule that fired, as its own rule file words it; never its id (the anchor reads it)
    rule_words = detect_service.rule_message("diversion.contact_invite") or ""
    assert rule_words.rstrip("。") in message and "加V" in message
    assert "diversion.contact_invite" not in message and "diversion" not in message


@pytest.mark.parametrize(
    ("rule", "category", "words"),
    [
        ("qr.wechat_pay", "diversion", "微信收款码"),  # a QR payload rule's own message
        ("claim.sales_vs_counter", "false_advertising", "虚假宣传"),  # the monitor's: category
    ],
)
def test_a_monitor_rule_reaches_the_anchor_in_words_too(rule, category, words):
    decisions = policy.decide(
        rule=rule,
        category=category,
        severity="critical",
        quote="扫码",
        speaker="anchor",
        tally=policy.Tally(repeat={"anchor": 1}),
    )
    message = next(d.text or "" for d in decisions if d.kind is ActionKind.warn_anchor)
    assert words in message and rule not in message


def test_a_viewers_diversion_warns_the_other_viewers_and_is_noted_not_put_on_the_anchor():
    assert kinds(speaker="viewer") == [ActionKind.viewer_warning, ActionKind.note]
    spam = kinds(speaker="viewer", repeat=10, history=5)
    assert not {ActionKind.warn_anchor, ActionKind.suspend_room, ActionKind.escalate} & set(spam)


def test_a_qr_code_or_on_screen_text_is_the_sellers_and_warns_the_anchor():
    assert kinds(speaker="room") == [ActionKind.viewer_warning, ActionKind.warn_anchor]
    assert kinds(speaker="assistant") == [ActionKind.viewer_warning, ActionKind.warn_anchor]


def test_viewers_diversions_do_not_count_towards_suspending_the_room():
    # the anchor's first diversion after five viewers' lines is their first, not the sixth
    first = kinds(tally=policy.Tally(repeat={"anchor": 1, "viewer": 5}))
    assert ActionKind.suspend_room not in first and ActionKind.warn_anchor in first
    # the seller's side together: anchor, assistant and a QR code on screen make three
    third = kinds(tally=policy.Tally(repeat={"anchor": 1, "assistant": 1, "room": 1, "viewer": 9}))
    assert {ActionKind.suspend_room, ActionKind.escalate} <= set(third)


def test_history_counts_the_sellers_sessions_each_once():
    assert ActionKind.escalate not in kinds(tally=policy.Tally(history={"viewer": {1, 2, 3}}))
    assert ActionKind.escalate not in kinds(
        tally=policy.Tally(history={"anchor": {1}, "room": {1}})
    )
    assert ActionKind.escalate in kinds(tally=policy.Tally(history={"anchor": {1}, "room": {2}}))


def test_a_tally_counts_only_the_speakers_asked_for_and_all_without_a_list():
    tally = policy.Tally(
        repeat={"anchor": 2, "viewer": 3}, history={"anchor": {1, 2}, "viewer": {2, 3}}
    )
    assert tally.repeat_of({"anchor", "room"}) == 2 and tally.repeat_of(None) == 5
    assert tally.history_of({"viewer"}) == 2 and tally.history_of(None) == 3


def test_a_viewers_words_are_not_the_anchors_claim():
    claim = {"rule": "medical.cure_assertion", "category": "medical_claims", "quote": "能治病"}
    assert ActionKind.warn_anchor in kinds(**claim)
    assert kinds(speaker="viewer", **claim) == []


def test_a_policy_without_speakers_matches_anyone():
    price = {"rule": "listing.changed_midstream", "category": "price_fraud"}
    assert ActionKind.pull_listing in kinds(speaker="viewer", **price)
    assert ActionKind.pull_listing in kinds(speaker="room", **price)


def test_an_unknown_or_empty_speakers_list_is_refused():
    data = POLICIES.model_dump()
    data["policies"][0]["match"]["speakers"] = ["anchor", "screen"]
    with pytest.raises(ValueError, match="speakers"):
        policy.PolicyFile.model_validate(data)
    data["policies"][0]["match"]["speakers"] = []
    with pytest.raises(ValueError, match="leave it out to match anyone"):
        policy.PolicyFile.model_validate(data)


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


def _shipped_policy_text() -> str:
    from liveguard import datafiles

    return datafiles.shipped_bytes("liveguard.enforcement", policy.POLICY_FILE).decode()


def _parse(text: str):
    from liveguard.detect import overlay

    return policy.parse(text, "policy.yaml", rule_files=overlay.shipped_files())


def test_the_shipped_policy_names_only_categories_and_rules_that_exist():
    assert _parse(_shipped_policy_text()) == POLICIES


def test_a_misspelt_category_is_refused_with_file_and_line():
    text = _shipped_policy_text().replace("categories: [price_fraud]", "categories: [price_frad]")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "price_frad" in row)
    with pytest.raises(DataFileError) as raised:
        _parse(text)
    (problem,) = raised.value.problems
    assert problem.startswith(f"policy.yaml:{line}: policies.")
    assert problem.endswith(
        ".match.categories.0: there is no category 'price_frad' (did you mean 'price_fraud'?)"
    )


@pytest.mark.parametrize(
    "rule", ["diversion.contact_invite", "claim.scarcity_vs_stock", "qr.wechat_pay"]
)
def test_a_policy_may_name_a_detection_rule_or_one_of_the_monitors_own(rule):
    text = _shipped_policy_text().replace(
        "categories: [price_fraud]", f"categories: [price_fraud], rules: [{rule}]"
    )
    assert rule in _parse(text).policies[5].match.rules


def test_a_misspelt_rule_is_refused_with_file_and_line():
    text = _shipped_policy_text().replace(
        "categories: [price_fraud]", "categories: [price_fraud], rules: [diversion.contact_invit]"
    )
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "contact_invit]" in row)
    with pytest.raises(DataFileError) as raised:
        _parse(text)
    assert raised.value.problems == [
        f"policy.yaml:{line}: policies.5.match.rules.0: there is no rule "
        "'diversion.contact_invit' (did you mean 'diversion.contact_invite'?)"
    ]
