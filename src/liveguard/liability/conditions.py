"""The small condition language of the liability and remedy rules, parsed, never eval'd.

One condition is one line::

    channel is platform
    seller_marked_in_room is false
    room_operator in [anchor, mcn]
    defect not in [none, not_delivered]
    days_since_delivery <= 7

A fact that is unknown (None) makes its condition *unknown*, not false: a rule with an
unknown condition and no false one neither fires nor is dismissed; the engine asks for
the fact instead. Field names and values are checked against ``CaseFacts`` when the rule
file is loaded, so a misspelt fact or enum value fails at load time, not in a complaint.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from liveguard.liability.facts import CaseFacts

Op = Literal["is", "is not", "in", "not in", "<", "<=", ">", ">="]
Value = str | bool | int | date

# facts the engine works out from CaseFacts and the day of the answer
DERIVED: dict[str, type] = {
    "life_health": bool,  # food, drugs, or stated to bear on life and health
    # calendar days from delivered_on to the return request (or to today, if none yet)
    "days_since_delivery": int,
    "in_live_room": bool,  # live_room, or known from who ran the room / led the buyer off
    "business_operator": bool,  # the seller is a 经营者 (stated, or shop / repeat sales)
    # a wrong is established or pleaded (a defect, fraud, food or drug below standard), or
    # the consumer relies on a right that needs none (the no-reason return, a promise)
    "ground": bool,
    "fraud": bool,  # knowingly misrepresented, or price fraud
    # the refund follows from the breach itself: counterfeit, food below standard, fake drug
    "breach_refund": bool,
    # when the conduct took place: bought_on, else the earliest date known, else the day of
    # the answer (the law in force now, and the answer asks for the day)
    "conduct_on": date,
    "room_promise": bool,  # the room operator made a promise of its own
    # 药品管理法 art. 144(3): the seller owes the ten times when it produced the drug or
    # knew it was fake or substandard (a producer owes it whatever it knew)
    "drug_seller_liable": bool,
    # false or misleading commercial publicity: false claims, or bought orders / reviews
    "false_publicity": bool,
    "term_no_returns": bool,
    "term_final_interpretation": bool,
    "term_excludes_main_rights": bool,
}
# derived facts that stand in for a stated fact of the same name when it is unknown
PRESUMED = ("food_below_standard", "seller_knew_below_standard", "label_flaw_only")
# the stated facts each derived one comes from (the one asked first when it is unknown)
SOURCES: dict[str, tuple[str, ...]] = {
    "days_since_delivery": ("delivered_on",),
    "life_health": ("category",),
    "in_live_room": ("live_room",),
    "business_operator": ("seller_is_business",),
    "ground": ("defect",),
    "fraud": ("misrepresented_knowingly", "price_fraud"),
    "breach_refund": ("defect",),
    "conduct_on": ("bought_on",),
    "room_promise": ("promises",),
    "drug_seller_liable": ("seller_knew_fake_drug", "seller_is_producer"),
    "false_publicity": ("false_advertising", "fake_transactions"),
    "term_no_returns": ("standard_terms",),
    "term_final_interpretation": ("standard_terms",),
    "term_excludes_main_rights": ("standard_terms",),
}

_LINE = re.compile(
    r"^\s*(?P<field>[a-z_]+)\s+(?P<op>is not|is|not in|in|<=|>=|<|>)\s+(?P<value>.+?)\s*$"
)


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    op: Op
    values: tuple[Value, ...]

    def __str__(self) -> str:
        shown = [str(v).lower() if isinstance(v, bool) else str(v) for v in self.values]
        rhs = f"[{', '.join(shown)}]" if self.op in ("in", "not in") else shown[0]
        return f"{self.field} {self.op} {rhs}"


def field_type(name: str) -> object:
    """The plain type of a fact (an enum, bool, int, date...), its annotation when it is
    not a plain type (a list of promises), or KeyError."""
    if name in DERIVED:
        return DERIVED[name]
    info = CaseFacts.model_fields.get(name)
    if info is None:
        raise KeyError(name)
    annotation = info.annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _value(raw: str, kind: object, field: str) -> Value:
    raw = raw.strip()
    if kind is bool:
        if raw not in ("true", "false"):
            raise ValueError(f"{field} is true or false, not {raw!r}")
        return raw == "true"
    if kind is date:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{field} takes a date like 2014-03-15, not {raw!r}") from None
    if kind is int:
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError(f"{field} takes a whole number, not {raw!r}")
        return int(raw)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        allowed = [member.value for member in kind]
        if raw not in allowed:
            raise ValueError(f"{field} is one of {allowed}, not {raw!r}")
        return raw
    raise ValueError(f"{field} cannot be used in a condition")


def parse(line: str) -> Condition:
    """``"channel is platform"`` -> Condition; ValueError says what to fix."""
    match = _LINE.match(line)
    if not match:
        raise ValueError(
            f"cannot read condition {line!r}: write '<fact> is <value>', '<fact> in [a, b]' "
            "or '<fact> <= <number>'"
        )
    field, op, raw = match["field"], match["op"], match["value"]
    try:
        kind = field_type(field)
    except KeyError:
        raise ValueError(f"unknown fact {field!r} in condition {line!r}") from None
    if op in ("<", "<=", ">", ">=") and kind not in (int, date):
        raise ValueError(f"{field} is not a number: {line!r}")
    if op in ("in", "not in"):
        if not (raw.startswith("[") and raw.endswith("]")):
            raise ValueError(f"'{op}' takes a list in brackets: {line!r}")
        items = [item for item in raw[1:-1].split(",") if item.strip()]
        if not items:
            raise ValueError(f"empty list in condition {line!r}")
        values = tuple(_value(item, kind, field) for item in items)
    else:
        values = (_value(raw, kind, field),)
    return Condition(field=field, op=op, values=values)


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def holds(condition: Condition, view: dict[str, object]) -> bool | None:
    """True, False, or None when the fact is unknown."""
    value = view.get(condition.field)
    if value is None:
        return None
    value = _plain(value)
    first = condition.values[0]
    match condition.op:
        case "is":
            return value == first
        case "is not":
            return value != first
        case "in":
            return value in condition.values
        case "not in":
            return value not in condition.values
        case "<":
            return value < first  # type: ignore[operator]
        case "<=":
            return value <= first  # type: ignore[operator]
        case ">":
            return value > first  # type: ignore[operator]
        case ">=":
            return value >= first  # type: ignore[operator]
    raise AssertionError(condition.op)


@dataclass(frozen=True)
class Outcome:
    """All conditions together: ``fires`` True/False/None, and the facts it waits on."""

    fires: bool | None
    unknown: tuple[str, ...]


def all_of(conditions: tuple[Condition, ...] | list[Condition], view: dict[str, object]) -> Outcome:
    """Every condition must hold; one false one settles it whatever else is unknown."""
    unknown: list[str] = []
    for condition in conditions:
        result = holds(condition, view)
        if result is False:
            return Outcome(False, ())
        if result is None and condition.field not in unknown:
            unknown.append(condition.field)
    return Outcome(None if unknown else True, tuple(unknown))


def _any(values: tuple[bool | None, ...]) -> bool | None:
    """True if one is true, False if all are false, else unknown."""
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _breach(facts: CaseFacts) -> bool | None:
    """The refund follows from the breach: counterfeit goods, food below the food-safety
    standard, a fake or substandard drug."""
    category = facts.category.value if facts.category else None
    shown = {"food": facts.below_food_standard, "drug": facts.fake_or_substandard_drug}
    if facts.defect is not None and facts.defect.value == "counterfeit":
        return True
    if category in shown:
        return shown[category]
    return False if category is not None and facts.defect is not None else None


def breach_question(facts: CaseFacts) -> str:
    """What to ask when it is unknown whether the refund follows from the breach."""
    if facts.defect is None:
        return "defect"
    if facts.category is None:
        return "category"
    return "food_below_standard" if facts.category.value == "food" else "fake_or_substandard_drug"


def _ground(facts: CaseFacts, view: dict[str, object]) -> bool | None:
    """A wrong established or pleaded (stated true), or a right that needs none relied on.
    Nothing pleaded: False once the defect is known, else unknown (the defect is asked)."""
    pleaded = (
        facts.defect is not None and facts.defect.value != "none",
        # the no-reason return is a right against a business operator only
        facts.defect is not None and facts.wants_return is True and facts.business_operator,
        view.get("fraud") is True,
        view.get("food_below_standard") is True,
        facts.fake_or_substandard_drug is True,
        facts.personal_injury is True,
        bool(facts.unperformed_fen),
        bool(facts.tie_in_fen),
    )
    if any(pleaded):
        return True
    return False if facts.defect is not None else None


def view_of(facts: CaseFacts, today: date) -> dict[str, object]:
    """The facts a condition can test: the known ones and the derived ones."""
    view: dict[str, object] = dict(facts.known())
    view["life_health"] = facts.life_health
    if facts.delivered_on is not None:
        asked = facts.return_asked_on or today
        view["days_since_delivery"] = (asked - facts.delivered_on).days
    view["in_live_room"] = facts.in_live_room
    view["business_operator"] = facts.business_operator
    view["food_below_standard"] = facts.below_food_standard
    view["seller_knew_below_standard"] = facts.seller_knew
    serious = (
        facts.label_missing_essentials,
        facts.imported_unlabelled,
        facts.dates_falsified,
        facts.sold_past_shelf_life,
    )
    if facts.label_flaw_only is None and any(serious):
        view["label_flaw_only"] = False  # SPC food interpretation (一) art. 11: not a mere flaw
    # a defence is the seller's to show: not shown, it does not hold
    view["drug_self_help"] = facts.drug_self_help is True
    view["fraud"] = _any((facts.misrepresented_knowingly, facts.price_fraud))
    view["breach_refund"] = _breach(facts)
    view["drug_seller_liable"] = _any((facts.seller_is_producer, facts.seller_knew_fake_drug))
    view["false_publicity"] = _any((facts.false_advertising, facts.fake_transactions))
    view["ground"] = _ground(facts, view)
    dates = [d for d in (facts.delivered_on, facts.knew_of_harm_on, facts.return_asked_on) if d]
    view["conduct_on"] = facts.bought_on or (min(dates) if dates else today)
    if facts.promises is not None:
        days = view.get("days_since_delivery")
        view["room_promise"] = any(
            p.made_by == "room_operator"
            and (p.days is None or (isinstance(days, int) and days <= p.days))
            for p in facts.promises
        )  # a promise for N days binds within them
    if facts.standard_terms is not None:
        for term in ("no_returns", "final_interpretation", "excludes_main_rights"):
            view[f"term_{term}"] = term in facts.standard_terms
    if (
        facts.platform_failed_food_licence_check is None
        and facts.seller_food_licensed is False
        and facts.channel is not None
        and facts.channel.value == "platform"
    ):
        # the platform must check a food seller's licence (FSL art. 131): an unlicensed
        # seller on it means the check failed
        view["platform_failed_food_licence_check"] = True
    return view
