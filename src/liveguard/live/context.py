"""The room as it stood when an event happened: the listing on show, the latest counters,
the listing changes made during the stream. Loaded once per batch, then advanced event
by event, so a batch costs a few queries, not a few per event."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.catalog import service as catalog_service
from liveguard.errors import LiveGuardError
from liveguard.live.enums import EventKind
from liveguard.live.models import LiveEvent, LiveSession

MAX_KEPT = 10_000  # rooms whose state a process keeps between batches
_KEPT: OrderedDict[int, RoomState] = OrderedDict()
_LOCK = threading.Lock()
COUNTER_LOOKBACK = 50  # recent counters events read to find the latest stock and sales
PRICE_FIELDS = ("title", "description", "price_fen", "original_price_fen", "shipping_fee_fen")


@dataclass
class RoomState:
    db_session: Session
    live_session: LiveSession
    listing_id: int | None = None
    stock: int | None = None
    sales: int | None = None
    counter_seq: dict[str, int | None] = field(
        default_factory=lambda: {"stock": None, "sales": None}
    )
    # listing fields changed during the stream (the catalog keeps its own copy)
    changed: dict[int, dict[str, Any]] = field(default_factory=dict)
    prices: dict[int, list[tuple[datetime, int]]] = field(default_factory=dict)
    last_pk: int | None = None  # the row id of the last event this state has taken in
    traffic_found_at: datetime | None = None  # the last traffic finding, one per window
    _listings: dict[int, catalog_service.Listing | None] = field(default_factory=dict)
    _categories: dict[int, str | None] = field(default_factory=dict)

    @classmethod
    def resume(
        cls,
        *,
        db_session: Session,
        live_session: LiveSession,
        first: LiveEvent,
        previous_pk: int | None,
    ) -> RoomState:
        """The state this process kept after the session's last batch, if nothing was
        stored in the session since (``previous_pk`` is the row id of the session's last
        event before ``first``); else loaded afresh. A rolled-back batch never matches:
        its row ids are gone (SQLite) or skipped (PostgreSQL's sequences)."""
        with _LOCK:
            kept = _KEPT.get(live_session.id)
        if kept is not None and previous_pk is not None and kept.last_pk == previous_pk:
            kept.db_session, kept.live_session = db_session, live_session
            kept._listings.clear()  # ORM rows belong to the session that loaded them
            return kept
        return cls.load(db_session=db_session, live_session=live_session, before=first)

    def keep(self, last_pk: int) -> None:
        """Keep the state for the session's next batch in this process."""
        self.last_pk = last_pk
        with _LOCK:
            _KEPT[self.live_session.id] = self
            _KEPT.move_to_end(self.live_session.id)
            while len(_KEPT) > MAX_KEPT:
                _KEPT.popitem(last=False)

    @classmethod
    def load(
        cls, *, db_session: Session, live_session: LiveSession, before: LiveEvent
    ) -> RoomState:
        state = cls(db_session, live_session)
        earlier = (LiveEvent.session_id == live_session.id, LiveEvent.seq < before.seq)
        shown = db_session.execute(
            select(LiveEvent.kind, LiveEvent.data)
            .where(
                *earlier,
                LiveEvent.kind.in_([EventKind.listing_shown, EventKind.listing_removed]),
            )
            .order_by(LiveEvent.seq.desc())
            .limit(1)
        ).first()
        if shown is not None and shown.kind is EventKind.listing_shown:
            state.listing_id = shown.data.get("listing_id")
        counters = db_session.execute(
            select(LiveEvent.seq, LiveEvent.data)
            .where(*earlier, LiveEvent.kind == EventKind.counters)
            .order_by(LiveEvent.seq.desc())
            .limit(COUNTER_LOOKBACK)
        ).all()
        for row in reversed(counters):
            state._count(row.seq, row.data)
        changes = db_session.execute(
            select(LiveEvent.occurred_at, LiveEvent.data)
            .where(*earlier, LiveEvent.kind == EventKind.listing_changed)
            .order_by(LiveEvent.seq)
        ).all()
        for row in changes:
            listing = state.listing_by_id(row.data["listing_id"])
            if listing is not None:
                before_price = state.listing_fields(listing)["price_fen"]
                state.record_change(
                    row.data["listing_id"], row.data["changes"], row.occurred_at, before_price
                )
        return state

    def advance(self, event: LiveEvent) -> None:
        """Take in one event (before it is checked: a listing shown is on show for itself)."""
        kind = event.kind
        if kind is EventKind.listing_shown:
            self.listing_id = event.data["listing_id"]
        elif kind is EventKind.listing_removed and event.data["listing_id"] == self.listing_id:
            self.listing_id = None
        elif kind is EventKind.counters:
            self._count(event.seq, event.data)

    def _count(self, seq: int, data: dict[str, Any]) -> None:
        which = data.get("listing_id")
        if which is not None and self.listing_id is not None and which != self.listing_id:
            return  # another listing's stock and sales
        for name in ("stock", "sales"):
            if data.get(name) is not None:
                setattr(self, name, data[name])
                self.counter_seq[name] = seq

    def listing_by_id(self, listing_id: int) -> catalog_service.Listing | None:
        if listing_id not in self._listings:
            try:
                found = catalog_service.get(db_session=self.db_session, listing_id=listing_id)
            except LiveGuardError:
                found = None  # a listing the catalog does not know: no context from it
            self._listings[listing_id] = found
        return self._listings[listing_id]

    def listing(self, db_session: Session | None = None) -> catalog_service.Listing | None:
        return self.listing_by_id(self.listing_id) if self.listing_id is not None else None

    @property
    def category(self) -> str | None:
        if self.listing_id is None:
            return None
        if self.listing_id not in self._categories:  # a listing's category does not change
            listing = self.listing()
            self._categories[self.listing_id] = listing.category if listing else None
        return self._categories[self.listing_id]

    def listing_fields(self, listing: catalog_service.Listing) -> dict[str, Any]:
        """The listing's price fields as the room last showed them."""
        fields = {name: getattr(listing, name) for name in PRICE_FIELDS}
        return {**fields, **self.changed.get(listing.id, {})}

    def record_change(
        self, listing_id: int, changes: dict[str, Any], at: datetime, price_before: int
    ) -> None:
        self.changed.setdefault(listing_id, {}).update(changes)
        if "price_fen" in changes:  # the price buyers paid until now, then the new one
            points = self.prices.setdefault(listing_id, [])
            points += [(at, price_before), (at, changes["price_fen"])]

    def price_points(self, listing_id: int) -> list[tuple[datetime, int]]:
        """Prices the listing was shown at during the stream, as catalog's history points."""
        return list(self.prices.get(listing_id, []))
