"""Listings: what is offered, at what price, by whom."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.db import Base, Fen, TimestampMixin


class ListingStatus(StrEnum):
    draft = "draft"
    on_sale = "on_sale"
    pulled = "pulled"  # taken down by staff or policy


class Listing(TimestampMixin, Base):
    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    price_fen: Mapped[int] = mapped_column(Fen)
    original_price_fen: Mapped[int | None] = mapped_column(Fen)
    shipping_fee_fen: Mapped[int] = mapped_column(Fen, default=0)
    stock: Mapped[int] = mapped_column(default=0)
    label: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # producer, SC number...
    status: Mapped[ListingStatus] = mapped_column(
        Enum(ListingStatus, native_enum=False, length=16), default=ListingStatus.draft
    )
