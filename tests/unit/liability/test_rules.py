"""Every liability and remedy rule's examples, run through the engine's own parts."""

from datetime import date

import pytest

from liveguard.legal import quote_problem
from liveguard.liability import conditions, liability, remedies
from liveguard.liability.facts import CaseFacts

DAY = date(2026, 12, 4)
LIABILITY = [(rule, example) for rule in liability.rules() for example in rule.examples]
REMEDIES = [(rule, example) for rule in remedies.rules() for example in rule.examples]


def _id(pair):
    rule, example = pair
    return f"{rule.id}:{rule.examples.index(example)}"


@pytest.mark.parametrize("pair", LIABILITY, ids=[_id(p) for p in LIABILITY])
def test_each_liability_rule_does_what_its_examples_say(pair):
    rule, example = pair
    view = conditions.view_of(CaseFacts.model_validate(example.facts), example.today or DAY)
    assert conditions.all_of(rule.when, view).fires is example.fires
    decision = liability.decide(view, {})
    found = {(p.role, p.liability) for p in decision.parties}
    for role, kind in example.assigns.items():
        assert (role, kind) in found, f"{rule.id}: wanted {role} {kind}, got {found}"


@pytest.mark.parametrize("pair", REMEDIES, ids=[_id(p) for p in REMEDIES])
def test_each_remedy_rule_does_what_its_examples_say(pair):
    rule, example = pair
    facts = CaseFacts.model_validate(example.facts)
    found = remedies.find(facts, conditions.view_of(facts, example.today or DAY))
    mine = {o.rule.kind: o.amount_fen for o in found.owed if o.rule.id == rule.id}
    for kind, amount in example.amounts.items():
        assert kind in mine and mine[kind] == amount, f"{rule.id}: {mine}"
    if not example.amounts and not rule.refuses:
        assert not mine
    refused = {r.kind for r in found.refused if r.id == rule.id}
    assert refused == set(example.refused)


def test_every_rule_quotes_its_article_verbatim():
    bases = [b for r in liability.rules() for b in r.legal_basis]
    bases += [b for r in remedies.rules() for b in r.legal_basis]
    assert bases
    assert [problem for b in bases if (problem := quote_problem(b))] == []


def test_every_rule_has_a_firing_example_and_one_that_does_not_fire():
    for rule in liability.rules():
        fires = {example.fires for example in rule.examples}
        assert True in fires and fires - {True}, rule.id
    for rule in remedies.rules():
        assert any(e.amounts or e.refused for e in rule.examples), rule.id
        assert any(not (e.amounts or e.refused) for e in rule.examples), rule.id


def test_a_misquoted_article_is_refused_when_the_file_is_loaded(monkeypatch):
    from importlib import resources

    real = resources.files("liveguard.liability").joinpath("data", "liability.yaml").read_text()
    broken = real.replace("可以向销售者要求赔偿。", "可以向平台要求赔偿。", 1)

    class Fake:
        def joinpath(self, *parts):
            return self

        def read_text(self, encoding="utf-8"):
            return broken

    monkeypatch.setattr(liability.resources, "files", lambda package: Fake())
    with pytest.raises(liability.RuleFileError, match="quote not found"):
        liability.load_data("liability.yaml", liability.LiabilityFile)
