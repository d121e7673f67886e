"""How a case's facts are put together: the order's, the records', and what the consumer
or staff state, each kept with its source, checked into strict ``CaseFacts``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from liveguard.cases.enums import PaymentChannel
from liveguard.clock import CHINA
from liveguard.errors import InvalidInput
from liveguard.liability.facts import CaseFacts, Channel, OffPlatformPayment

PAYMENTS = {
    PaymentChannel.wechat_transfer: OffPlatformPayment.wechat_transfer,
    PaymentChannel.wechat_qr: OffPlatformPayment.wechat_qr,
    PaymentChannel.alipay_transfer: OffPlatformPayment.alipay,
    PaymentChannel.bank_transfer: OffPlatformPayment.bank_transfer,
    PaymentChannel.cash: OffPlatformPayment.cash,
    PaymentChannel.other: OffPlatformPayment.other,
}
KNOWN = frozenset(CaseFacts.model_fields)


def check_fact_names(facts: dict[str, Any], field: str = "facts") -> None:
    for name in facts:
        if name not in KNOWN:
            raise InvalidInput(
                f"{field}.{name}",
                f"{name!r} is not a fact the engine knows",
                "use a CaseFacts field name, e.g. " + ", ".join(sorted(KNOWN)[:6]) + "...",
            )


def build_facts(values: dict[str, Any], field: str = "facts") -> CaseFacts:
    """Strict CaseFacts, or InvalidInput naming the fact that is wrong and how."""
    try:
        return CaseFacts.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(
            f"{field}.{where}" if where else field,
            first["msg"],
            "answer with one of the values the form offers",
        ) from None


def order_facts(order: Any) -> dict[str, Any]:
    return {
        "channel": Channel.platform,
        "price_paid_fen": order.amount_paid_fen,
        "quantity": order.quantity,
        "bought_on": order.paid_at.astimezone(CHINA).date(),
    }


def merge(
    facts: dict[str, Any],
    sources: dict[str, Any],
    new: dict[str, Any],
    source: str,
    *,
    override: bool,
) -> None:
    for name, value in new.items():
        if value is None:
            continue
        if name == "promises" and facts.get("promises"):
            facts["promises"] = [*facts["promises"], *value]
            continue
        if name in facts and not override:
            continue
        facts[name] = value
        sources[name] = {"source": source}


def json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
