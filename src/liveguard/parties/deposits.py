"""Merchant deposits: what is owed by category, what was paid in, what was taken out."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.errors import InvalidInput
from liveguard.money import MAX_DEPOSIT_BALANCE_FEN, yuan
from liveguard.parties.enums import MovementKind
from liveguard.parties.models import DepositMovement, Merchant
from liveguard.parties.qualifications import catalogue
from liveguard.parties.schemas import DepositMovementCreate


def required_fen(merchant: Merchant) -> int:
    """The largest deposit any of the merchant's categories asks for, raised by the
    percentage a credit listing in force sets (integer fen, rounded up)."""
    amounts = [
        spec.deposit_fen
        for code in merchant.categories
        if (spec := catalogue().category(code)) is not None
    ]
    base = max(amounts, default=0)
    percent = int((merchant.credit_measures or {}).get("deposit_percent", 100) or 100)
    return -(-base * percent // 100)


def record_movement(
    *, db_session: Session, merchant: Merchant, movement_in: DepositMovementCreate, actor: str
) -> DepositMovement:
    """Apply one movement; a balance never goes below zero nor above its cap."""
    sign = 1 if movement_in.kind is MovementKind.pay_in else -1
    balance = merchant.deposit_balance_fen + sign * movement_in.amount_fen
    if balance < 0:
        raise InvalidInput(
            "amount_fen",
            f"{movement_in.kind.value} of {movement_in.amount_fen} fen exceeds the balance of "
            f"{merchant.deposit_balance_fen} fen",
            "take out at most the balance; ask the merchant to top up first",
        )
    if balance > MAX_DEPOSIT_BALANCE_FEN:
        raise InvalidInput(
            "amount_fen",
            f"a pay_in of {movement_in.amount_fen} fen would take the balance to {balance} fen, "
            f"above the most a deposit may hold ({yuan(MAX_DEPOSIT_BALANCE_FEN, prefix='¥')})",
            "pay in at most the difference; a deposit this large is surely a typing mistake",
        )
    merchant.deposit_balance_fen = balance
    movement = DepositMovement(
        merchant_id=merchant.id,
        kind=movement_in.kind,
        amount_fen=movement_in.amount_fen,
        balance_after_fen=balance,
        reason=movement_in.reason,
        recorded_by=actor,
    )
    db_session.add(movement)
    db_session.flush()
    return movement


def get_movements(*, db_session: Session, merchant_id: int) -> list[DepositMovement]:
    query = (
        select(DepositMovement)
        .where(DepositMovement.merchant_id == merchant_id)
        .order_by(DepositMovement.id)
    )
    return list(db_session.scalars(query))
