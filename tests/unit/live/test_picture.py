"""The room's real picture: minutes filled from the room's own events, each sign of bought
traffic fired by the room that shows it and not by an honest flash sale, who is named,
and the law cited by the date of the conduct."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from liveguard.legal import quote_problem
from liveguard.live import picture, room_samples

START = datetime(2026, 6, 1, 12, tzinfo=UTC)


def events_of(room: room_samples.Room) -> list[picture.Event]:
    return [
        picture.Event(e["kind"], datetime.fromisoformat(e["occurred_at"]), e.get("data", {}), n)
        for n, e in enumerate(room.events, start=1)
    ]


def fired(room: room_samples.Room, seen: frozenset[str] = frozenset()) -> set[str]:
    shown = picture.picture(events_of(room), category=room.category, seen_elsewhere=seen)
    return {s.rule for s in shown.signals}


def test_minutes_carry_the_last_count_and_count_chat_orders_and_added_likes():
    at = START
    events = [
        picture.Event("counters", at, {"viewers": 100, "likes": 10, "clicks": 1}, 1),
        picture.Event("chat", at + timedelta(seconds=5), {"user": "a"}, 2),
        picture.Event("order", at + timedelta(seconds=70), {"amount_fen": 990}, 3),
        picture.Event("counters", at + timedelta(seconds=150), {"viewers": 130, "likes": 25}, 4),
    ]
    rows = picture.minutes(events)
    assert [m.viewers for m in rows] == [100, 100, 130]  # minute 2 reported nothing new
    assert [(m.chats, m.orders, m.likes) for m in rows] == [(1, 0, 0), (0, 1, 0), (0, 0, 15)]


def test_a_jump_nobody_talks_in_is_flagged_and_a_flash_sale_is_not():
    rng = random.Random(3)
    bought = room_samples.make_room(rng, "b", start=START, bought=["viewers"], category="food")
    assert "traffic.viewer_jump" in fired(bought)
    honest = [
        room_samples.make_room(rng, f"h{i}", start=START, bought=[], category="food")
        for i in range(8)
    ]
    assert all("traffic.viewer_jump" not in fired(room) for room in honest)


def test_likers_seen_in_another_room_are_not_idle():
    rng = random.Random(5)
    room = room_samples.make_room(rng, "l", start=START, bought=["likes"])
    assert "traffic.idle_likers" in fired(room)
    likers = {a for e in room.events for a in e.get("data", {}).get("likers", ())}
    assert "traffic.idle_likers" not in fired(room, seen=frozenset(likers))


def test_orders_from_accounts_made_that_day_are_flagged():
    rng = random.Random(9)
    room = room_samples.make_room(rng, "o", start=START, bought=["orders"])
    assert "traffic.fresh_buyers" in fired(room)


def test_the_operator_is_named_from_the_anchors_relations():
    rules = picture.rules()
    assert rules.controller(["staff_of_merchant"]).named == ["merchant"]
    assert rules.controller(["signed_with_mcn", "sells_for_merchant"]).named == ["mcn", "anchor"]
    assert rules.controller([]).named == ["anchor"]


def test_conduct_before_15_october_2025_is_cited_under_the_2019_text():
    rules = picture.rules()
    before = {(b.law, b.article) for b in rules.basis_on(date(2025, 10, 14))}
    after = {(b.law, b.article) for b in rules.basis_on(date(2025, 10, 15))}
    assert ("反不正当竞争法", 8) in before and ("反不正当竞争法", 9) in after
    bases = rules.legal_basis + rules.legal_basis_before_2025_10_15
    assert all(quote_problem(b) is None for b in bases)
