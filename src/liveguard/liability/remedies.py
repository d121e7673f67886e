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

from pydantic import BaseModel, ConfigDict, Field

from liveguard import money
from liveguard.liability import conditions
from liveguard.liability.facts import CaseFacts, Promise, PromiseKind
from liveguard.liability.liability import Rule, Strict, load_data
from liveguard.liability.resolution import RemedyKind, Role

REMEDY_FILE = "remedies.yaml"


def yuan(fen: int) -> str:
    """``66900`` -> ``669.00元``."""
    return money.yuan(fen, suffix="元")


class Punitive(Strict):
    price_multiple: int = Field(ge=1)
    loss_multiple: int | None = Field(default=None, ge=1)
    floor_fen: int = Field(ge=0)


class PunitiveAmount(Strict):
    punitive: Punitive


AmountSpec = (
    Literal["price", "loss", "costs", "promise", "price_protection", "none"] | PunitiveAmount
)


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


@cache
def rules() -> tuple[RemedyRule, ...]:
    return tuple(load_data(REMEDY_FILE, RemedyFile).remedies)


class Owed(BaseModel):
    """One remedy found: the rule, the amount and its sum, the promise behind it."""

    model_config = ConfigDict(frozen=True)

    rule: RemedyRule
    amount_fen: int | None
    arithmetic: str
    promise: Promise | None = None


class Found(BaseModel):
    model_config = ConfigDict(frozen=True)

    owed: list[Owed]
    refused: list[RemedyRule]
    waiting: dict[str, list[str]]  # fact -> ids of the remedies that wait on it
    optional: dict[str, list[str]]  # fact -> ids of remedies it could add


def amount(
    rule: RemedyRule, facts: CaseFacts, promise: Promise | None
) -> tuple[int | None, str] | str:
    """The amount and its arithmetic, or the name of the fact it still needs."""
    price, spec = facts.price_paid_fen, rule.amount
    if spec == "none":
        return None, ""
    if spec == "loss":
        loss = facts.loss_fen or 0
        return loss, f"损失 {yuan(loss)}"
    if spec == "costs":
        items = facts.costs or []
        total = sum(item.amount_fen for item in items)
        parts = "+".join(f"{item.what}{yuan(item.amount_fen)}" for item in items)
        return total, f"{parts}={yuan(total)}"
    if spec == "price_protection":
        owed = facts.price_protection_owed_fen or 0
        return owed, f"保价期内降价应退差价 {yuan(owed)}"
    if price is None:
        return "price_paid_fen"
    if spec == "price":
        return price, f"退还实际支付价款 {yuan(price)}"
    if spec == "promise":
        assert promise is not None and promise.multiple is not None
        total = price * promise.multiple
        return total, f"「{promise.text}」：{yuan(price)}×{promise.multiple}={yuan(total)}"
    assert isinstance(spec, PunitiveAmount)
    rates = spec.punitive
    by_price = price * rates.price_multiple
    steps = [f"价款 {yuan(price)}×{rates.price_multiple}={yuan(by_price)}"]
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


def _promises(
    rule: RemedyRule, facts: CaseFacts, view: dict[str, object]
) -> Sequence[Promise | None]:
    if rule.promise is None:
        return [None]
    found = [p for p in facts.promises or [] if p.kind is rule.promise]
    if rule.promise is PromiseKind.return_days:
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
            value, arithmetic = result
            if rule.amount in ("loss", "costs", "price_protection") and not value:
                continue
            owed.append(Owed(rule=rule, amount_fen=value, arithmetic=arithmetic, promise=promise))
    owed = _largest_per_group(owed)
    if any(o.rule.kind is RemedyKind.no_reason_return for o in owed):
        refused = [r for r in refused if r.kind is not RemedyKind.no_reason_return]
    return Found(
        owed=owed,
        refused=refused,
        waiting=_worth_asking(waiting, owed, facts),
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
