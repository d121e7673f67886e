"""The condition language: parsed into models, checked against CaseFacts, three-valued."""

import pytest

from liveguard.liability.conditions import all_of, holds, parse


def test_a_condition_is_read_into_a_field_an_operator_and_values():
    condition = parse("room_operator in [anchor, mcn]")
    assert (condition.field, condition.op, condition.values) == (
        "room_operator",
        "in",
        ("anchor", "mcn"),
    )
    assert str(condition) == "room_operator in [anchor, mcn]"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("chanel is platform", "unknown fact 'chanel'"),
        ("channel is shop", "channel is one of"),
        ("platform_knew is yes", "true or false"),
        ("channel > 3", "not a number"),
        ("channel in platform", "takes a list"),
        ("__import__('os')", "cannot read condition"),
    ],
)
def test_a_bad_condition_is_refused_with_what_to_fix(line, message):
    with pytest.raises(ValueError, match=message):
        parse(line)


def test_an_unknown_fact_makes_a_condition_unknown_not_false():
    assert holds(parse("platform_knew is true"), {}) is None
    assert holds(parse("platform_knew is true"), {"platform_knew": False}) is False


def test_one_false_condition_settles_a_rule_whatever_else_is_unknown():
    conds = [parse("channel is platform"), parse("platform_knew is true")]
    assert all_of(conds, {"channel": "off_platform"}).fires is False
    outcome = all_of(conds, {"channel": "platform"})
    assert (outcome.fires, outcome.unknown) == (None, ("platform_knew",))


def test_numbers_compare():
    assert holds(parse("days_since_delivery <= 7"), {"days_since_delivery": 7}) is True
    assert holds(parse("days_since_delivery <= 7"), {"days_since_delivery": 8}) is False
