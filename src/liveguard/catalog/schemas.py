"""API shapes for listings. Money in integer fen."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from liveguard.catalog.models import ListingStatus
from liveguard.parties.schemas import CategoryCode

Fen = Annotated[int, Field(ge=0, description="integer fen (1 yuan = 100 fen)")]


class ListingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merchant_id: int
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]
    description: str = ""
    category: CategoryCode
    price_fen: Fen
    original_price_fen: Fen | None = None
    shipping_fee_fen: Fen = 0
    stock: int = Field(default=0, ge=0)
    label: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _original_not_below_price(self) -> ListingCreate:
        if self.original_price_fen is not None and self.original_price_fen < self.price_fen:
            raise ValueError("original_price_fen is below price_fen: it cannot be a discount")
        return self


class ListingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    merchant_id: int
    title: str
    description: str
    category: str
    price_fen: int
    original_price_fen: int | None
    shipping_fee_fen: int
    stock: int
    label: dict[str, str]
    status: ListingStatus
    created_at: datetime
