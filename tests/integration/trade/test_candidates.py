"""The daily check reads only orders whose promises may stand broken: the SQL that picks
them agrees with promises.py on every example in promises.yaml, on each database."""

from __future__ import annotations

from datetime import datetime

from liveguard.clock import CHINA
from liveguard.trade import breaches
from liveguard.trade import service as trade_service
from liveguard.trade.promises import policy
from liveguard.trade.schemas import OrderCreate, PromiseCreate, StatusChange

NOW = datetime(2026, 12, 31, 12, 0, tzinfo=CHINA)


def test_the_orders_picked_in_sql_are_exactly_those_the_rules_find_broken(
    app, db, sale, make_buyer
):
    buyer = make_buyer()
    examples = [e for e in policy().examples if not e.already]
    placed = {}
    with db() as session:
        for n, example in enumerate(examples, start=1):
            order = trade_service.create(
                db_session=session,
                cipher=app.state.cipher,
                now=NOW,
                actor="test",
                order_in=OrderCreate(**sale.order(buyer, n=n)),
            )
            ids: dict[int, int] = {}
            for promise in example.promises:
                ids[promise.id] = trade_service.add_promise(
                    db_session=session,
                    order=order,
                    now=NOW,
                    actor="test",
                    promise_in=PromiseCreate(
                        kind=promise.kind,
                        due_on=promise.due_on,
                        source="listing",
                        said_at=promise.said_at,
                        replaces_id=ids[promise.replaces] if promise.replaces else None,
                        reason="moved" if promise.replaces else None,
                    ),
                ).id
            for change in example.changes:
                trade_service.change_status(
                    db_session=session,
                    order=order,
                    now=NOW,
                    actor="test",
                    change_in=StatusChange(
                        status=change.status,
                        occurred_at=change.at,
                        refund_fen=order.amount_paid_fen if change.status == "refunded" else None,
                    ),
                )
            placed[example.name] = order.id
    with db() as session:
        for example in examples:
            picked = breaches.orders_with_promises_due(db_session=session, day=example.day)
            assert (placed[example.name] in {o.id for o in picked}) == bool(example.expect), (
                example.name
            )
