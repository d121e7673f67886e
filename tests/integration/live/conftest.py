"""A live room on a shop that sells food, with one listing on sale."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from typing import Any

import pytest

from tests import factories
from tests.integration.catalog.conftest import listing, make_shop  # noqa: F401  (fixture)

_ids = count(1)


@dataclass
class Room:
    session_id: int
    listing_id: int
    platform_id: int
    shop_headers: dict[str, str] = field(default_factory=dict)  # the merchant's own token

    def events_url(self) -> str:
        return f"/api/sessions/{self.session_id}/events"


@pytest.fixture
def room(client, auth, make_shop, clock) -> Room:  # noqa: F811  (the imported fixture)
    shop = make_shop()
    merchant = client.get(f"/api/merchants/{shop.id}", headers=auth()).json()
    platform_id = merchant["platform_id"]
    created = client.post("/api/listings", json=listing(shop), headers=shop.headers)
    assert created.status_code == 201, created.text
    listing_id = created.json()["id"]
    published = client.post(f"/api/listings/{listing_id}/publish", headers=shop.headers)
    assert published.status_code == 200, published.text
    anchor = client.post("/api/anchors", json=factories.anchor(platform_id), headers=auth())
    assert anchor.status_code == 201, anchor.text
    session = client.post(
        "/api/sessions",
        json={
            "platform_id": platform_id,
            "room_code": "room-s1",
            "title": "羽绒服专场",
            "anchor_id": anchor.json()["id"],
            "merchant_id": shop.id,
            "started_at": clock.now().isoformat(),
        },
        headers=auth(),
    )
    assert session.status_code == 201, session.text
    return Room(session.json()["id"], listing_id, platform_id, shop.headers)


def another_session(client, auth, room: Room) -> int:
    """A new live session of the room's anchor, shop and platform: its id."""
    shown = client.get(f"/api/sessions/{room.session_id}", headers=auth()).json()
    fields = ("platform_id", "merchant_id", "anchor_id", "title", "room_code", "started_at")
    made = client.post("/api/sessions", json={k: shown[k] for k in fields}, headers=auth())
    assert made.status_code == 201, made.text
    return made.json()["id"]


@pytest.fixture
def event(clock):
    """An event a second later than the last one made."""
    ticks = count(1)

    def make(kind: str, **fields: Any) -> dict[str, Any]:
        at = clock.now() + timedelta(seconds=next(ticks))
        return {
            "event_id": f"e-{next(_ids)}",
            "kind": kind,
            "occurred_at": at.isoformat(),
            **fields,
        }

    return make


def speech(event, text: str, role: str = "anchor") -> dict[str, Any]:
    return event("utterance", speaker_role=role, text=text, data={"start_ms": 1000, "end_ms": 4000})
