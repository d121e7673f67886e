"""What the consumer is owed: the rules in ``data/remedies.yaml`` applied to the facts.

Amounts are integer fen, computed with integer arithmetic only, and each carries the sum
that produced it (``66900×3=200700``), so a consumer or a mediator can check it by hand.
Promises beyond the law (假一赔十, 不满意全额退, 坏一赔三) are remedies of their own,
citing where they were recorded; within a group only the largest remedy is owed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liveguard import money
from liveguard.liability import conditions
from liveguard.liability.facts import CaseFacts, Promise, PromiseKind
from liveguard.liability.liability import Rule, Strict, load_data
from liveguard.liability.resolution import RemedyKind, Role

REMEDY_FILE = "remedies.yaml"
NOTE_FILE = "notes.yaml"


def yuan(fen: int) -> str:
    """``66900`` -> ``669.00元``."""
    return money.yuan(fen, suffix="元")


class Punitive(Strict):
    price_multiple: int = Field(ge=1)
    loss_multiple: int | None = Field(default=None, ge=1)
    floor_fen: int = Field(ge=0)
    # a buyer who knew the food was below standard: the price multiple runs on a reasonable
    # household quantity only (SPC 2024 food and drug interpretation arts. 12-13)
    knowing_buyer_capped: bool = False


class PunitiveAmount(Strict):
    punitive: Punitive


class FactAmount(Strict):
    """The amount is a money fact of the case (the unperformed part, a tie-in extra)."""

    fact: str = Field(pattern=r"^[a-z_]+_fen$")

    @field_validator("fact")
    @classmethod
    def _is_a_fact(cls, value: str) -> str:
        if value not in CaseFacts.model_fields:
            raise ValueError(f"unknown money fact {value!r}")
        return value


AmountSpec = Literal["price", "loss", "costs", "promise", "none"] | PunitiveAmount | FactAmount


class RemedyExample(Strict):
    facts: dict[str, Any]
    today: date | None = None
    amounts: dict[RemedyKind, int | None] = Field(default_factory=dict)
    refused: list[RemedyKind] = Field(default_factory=list)


class RemedyRule(Rule):
    kind: RemedyKind
    group: str | None = None
    promise: PromiseKind | None = None
    refuses: bool = False
    amount: AmountSpec
    owed_by: Literal["liable"] | list[Role] = "liable"
    examples: list[RemedyExample] = Field(min_length=2)


class RemedyFile(Strict):
    remedies: list[RemedyRule] = Field(min_length=1)


class NoteExample(Strict):
    facts: dict[str, Any]
    today: date | None = None
    fires: bool | None = True


class NoteRule(Rule):
    examples: list[NoteExample] = Field(min_length=2)


class NoteFile(Strict):
    notes: list[NoteRule] = Field(min_length=1)


@cache
def rules() -> tuple[RemedyRule, ...]:
    return tuple(load_data(REMEDY_FILE, RemedyFile).remedies)


@cache
def note_rules() -> tuple[NoteRule, ...]:
    return tuple(load_data(NOTE_FILE, NoteFile).notes)


def notes(view: dict[str, object]) -> list[NoteRule]:
    """The notes whose conditions all hold."""
    return [rule for rule in note_rules() if conditions.all_of(rule.when, view).fires]


class Owed(BaseModel):
    """One remedy found: the rule, the amount and its sum, the promise behind it."""

    model_config = ConfigDict(frozen=True)

    rule: RemedyRule
    amount_fen: int | None
    arithmetic: str
    promise: Promise | None = None
    at_least: bool = False


class Found(BaseModel):
    model_config = ConfigDict(frozen=True)

    owed: list[Owed]
    refused: list[RemedyRule]
    waiting: dict[str, list[str]]  # fact -> ids of the remedies that wait on it
    optional: dict[str, list[str]]  # fact -> ids of remedies it could add


def amount(
    rule: RemedyRule, facts: CaseFacts, promise: Promise | None
) -> tuple[int | None, str] | tuple[int | None, str, bool] | str:
    """The amount and its arithmetic (and True when it is a minimum owed at least, the
    price being unknown), or the name of the fact it still needs."""
    price, spec = facts.price_paid_fen, rule.amount
    if spec == "none":
        return None, ""
    if spec == "loss":
        return _loss(facts)
    if spec == "costs":
        items = facts.costs or []
        total = sum(item.amount_fen for item in items)
        parts = "+".join(f"{item.what}{yuan(item.amount_fen)}" for item in items)
        return total, f"{parts}={yuan(total)}"
    if isinstance(spec, FactAmount):
        value = getattr(facts, spec.fact)
        return (value, yuan(value)) if value is not None else spec.fact
    if price is None:
        if isinstance(spec, PunitiveAmount) and spec.punitive.floor_fen:
            floor = spec.punitive.floor_fen
            return floor, f"价款未知，至少按法定最低额{yuan(floor)}计", True
        return "price_paid_fen"
    if spec == "price":
        return _refund(price, facts)
    if spec == "promise":
        assert promise is not None and promise.multiple is not None
        total = price * promise.multiple
        return total, f"「{promise.text}」：{_price(price, facts)}×{promise.multiple}={yuan(total)}"
    assert isinstance(spec, PunitiveAmount)
    rates = spec.punitive
    base, shown = price, _price(price, facts)
    if rates.knowing_buyer_capped and (capped := _reasonable_part(price, facts)) is not None:
        base, shown = capped
    by_price = base * rates.price_multiple
    steps = [f"{shown}×{rates.price_multiple}={yuan(by_price)}"]
    best = by_price
    if rates.loss_multiple is not None and facts.loss_fen:
        by_loss = facts.loss_fen * rates.loss_multiple
        steps.append(f"损失 {yuan(facts.loss_fen)}×{rates.loss_multiple}={yuan(by_loss)}")
        if by_loss > best:
            best = by_loss
            steps.append("取较高的损失倍数")
    if best < rates.floor_fen:
        steps.append(f"不足{yuan(rates.floor_fen)}，按{yuan(rates.floor_fen)}计")
        best = rates.floor_fen
    return best, "；".join(steps)


def _price(price: int, facts: CaseFacts) -> str:
    """The base of a multiple: the price paid for all of it, orders and items counted."""
    parts = []
    if facts.orders and facts.orders > 1:
        parts.append(f"{facts.orders}笔订单")
    if facts.quantity and facts.quantity > 1:
        parts.append(f"共{facts.quantity}件")
    what = f"（{'、'.join(parts)}）" if parts else ""
    return f"价款{what} {yuan(price)}"


def _reasonable_part(price: int, facts: CaseFacts) -> tuple[int, str] | None:
    """A knowing buyer's base: the price of a reasonable household quantity only."""
    bought, reasonable = facts.quantity, facts.reasonable_quantity
    if not (facts.buyer_knew_below_standard and bought and reasonable and reasonable < bought):
        return None
    part = price * reasonable // bought
    return part, f"合理消费数量内的价款 {yuan(price)}÷{bought}×{reasonable}={yuan(part)}"


def _refund(price: int, facts: CaseFacts) -> tuple[int, str]:
    """The price back, less what was already refunded."""
    refunded = min(facts.refunded_fen or 0, price)
    if not refunded:
        return price, f"退还实际支付{_price(price, facts)}"
    left = price - refunded
    return left, f"实际支付{_price(price, facts)}−已退 {yuan(refunded)}={yuan(left)}"


def _loss(facts: CaseFacts) -> tuple[int, str]:
    """The loss, less the consumer's own share of fault (民法典 art. 1173)."""
    loss = facts.loss_fen or 0
    share = facts.consumer_fault_pct
    if not share:
        return loss, f"损失 {yuan(loss)}"
    owed = loss * (100 - share) // 100
    return owed, f"损失 {yuan(loss)}×（100%−您的过错{share}%）={yuan(owed)}"


def _promises(
    rule: RemedyRule, facts: CaseFacts, view: dict[str, object]
) -> Sequence[Promise | None]:
    if rule.promise is None:
        return [None]
    found = [p for p in facts.promises or [] if p.kind is rule.promise]
    if rule.promise in (PromiseKind.return_days, PromiseKind.replace_within):
        days = view.get("days_since_delivery")
        found = [p for p in found if isinstance(days, int) and p.days and days <= p.days]
    return found


def find(facts: CaseFacts, view: dict[str, object]) -> Found:
    """Every remedy the facts support; in each group only the largest."""
    owed: list[Owed] = []
    refused: list[RemedyRule] = []
    waiting: dict[str, list[str]] = {}
    optional: dict[str, list[str]] = {}
    for rule in rules():
        outcome = conditions.all_of(rule.when, view)
        if outcome.fires is False:
            continue
        promises = _promises(rule, facts, view)
        if outcome.fires is None:
            if isinstance(rule.amount, FactAmount) and outcome.unknown[0] == rule.amount.fact:
                continue  # an extra sum is the consumer's to raise, not asked of everyone
            if promises:
                asked = optional if rule.optional else waiting
                asked.setdefault(outcome.unknown[0], []).append(rule.id)
            continue
        if rule.refuses:
            refused.append(rule)
            continue
        for promise in promises:
            result = amount(rule, facts, promise)
            if isinstance(result, str):
                waiting.setdefault(result, []).append(rule.id)
                continue
            value, arithmetic = result[0], result[1]
            at_least = len(result) == 3
            if rule.amount == "costs" and facts.costs is None:
                optional.setdefault("costs", []).append(rule.id)  # ask for them
            if (
                rule.amount in ("loss", "costs") or isinstance(rule.amount, FactAmount)
            ) and not value:
                continue
            if rule.amount == "price" and not value:
                continue  # already refunded in full
            owed.append(
                Owed(
                    rule=rule,
                    amount_fen=value,
                    arithmetic=arithmetic,
                    promise=promise,
                    at_least=at_least,
                )
            )
    owed = _largest_per_group(owed)
    if any(o.rule.kind is RemedyKind.no_reason_return for o in owed):
        refused = [r for r in refused if r.kind is not RemedyKind.no_reason_return]
    asked = _worth_asking(waiting, owed, facts)
    if minimums := [o.rule.id for o in owed if o.at_least]:
        asked.setdefault("price_paid_fen", []).extend(minimums)  # the minimum may rise
    return Found(
        owed=owed,
        refused=refused,
        waiting=asked,
        optional=_worth_asking(optional, owed, facts),
    )


def _largest_per_group(owed: list[Owed]) -> list[Owed]:
    kept: dict[str, Owed] = {}
    for item in owed:
        group = item.rule.group
        if group is None:
            continue
        best = kept.get(group)
        if best is None or (item.amount_fen or 0) > (best.amount_fen or 0):
            kept[group] = item
    return [item for item in owed if item.rule.group is None or kept[item.rule.group] is item]


def _worth_asking(
    waiting: dict[str, list[str]], owed: list[Owed], facts: CaseFacts
) -> dict[str, list[str]]:
    """Drop questions whose answer could not raise what a group already owes."""
    by_id = {rule.id: rule for rule in rules()}
    best = {o.rule.group: o.amount_fen or 0 for o in owed if o.rule.group}
    asked: dict[str, list[str]] = {}
    for fact, ids in waiting.items():
        useful = []
        for rule_id in ids:
            rule = by_id[rule_id]
            if rule.group in best:
                if rule.group == "refund":
                    continue  # the price comes back once whichever rule returns it
                could = amount(rule, facts, _first_promise(rule, facts))
                if not isinstance(could, str) and (could[0] or 0) <= best[rule.group]:
                    continue
            useful.append(rule_id)
        if useful:
            asked[fact] = useful
    return asked


def _first_promise(rule: RemedyRule, facts: CaseFacts) -> Promise | None:
    if rule.promise is None:
        return None
    return next((p for p in facts.promises or [] if p.kind is rule.promise), None)
