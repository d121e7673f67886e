"""Traffic sanity: a big audience that likes a lot but neither chats nor buys.

Judged on each counters event that reports viewers, over the window before it: the mean
viewers and likes reported against the chat lines and orders stored in the same window.
The finding carries the series that shows it. Thresholds are data (``claims.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard.live import claims
from liveguard.live.enums import EventKind, FindingSource, FindingSpeaker
from liveguard.live.models import LiveEvent, LiveFinding

if TYPE_CHECKING:
    from liveguard.live.context import RoomState


def check(
    *,
    db_session: Session,
    state: RoomState,
    event: LiveEvent,
    unwritten: Sequence[Any] = (),
) -> list[LiveFinding]:
    """A traffic finding for a counters event, if its window's viewers and likes are out
    of all proportion to chat and orders. ``unwritten``: the batch's events not in the
    table yet (``ingest`` writes them with their ledger items on PostgreSQL), counted
    as if they were."""
    rule = claims.rules().traffic
    if event.data.get("viewers") is None:
        return []
    end = event.occurred_at
    start = end - timedelta(seconds=rule.window_seconds)
    session_id = event.session_id
    in_window = (
        LiveEvent.session_id == session_id,
        LiveEvent.occurred_at > start,
        LiveEvent.occurred_at <= end,
    )
    already = db_session.scalar(
        select(func.count())
        .select_from(LiveFinding)
        .join(LiveEvent, LiveEvent.id == LiveFinding.event_pk)
        .where(*in_window, LiveFinding.rule == rule.id)
    )
    last = state.traffic_found_at
    if already or (last is not None and end - last < timedelta(seconds=rule.window_seconds)):
        return []  # one finding per window is enough
    pending = [e for e in unwritten if start < e.occurred_at <= end]
    stored = db_session.execute(
        select(LiveEvent.seq, LiveEvent.occurred_at, LiveEvent.data).where(
            *in_window, LiveEvent.kind == EventKind.counters, LiveEvent.seq <= event.seq
        )
    ).all()
    merged = [(seq, at, data) for seq, at, data in stored]
    merged += [
        (e.seq, e.occurred_at, e.data)
        for e in pending
        if e.kind is EventKind.counters and e.seq <= event.seq
    ]
    series = [(at, data) for _, at, data in sorted(merged, key=lambda item: item[0])]
    points = [
        (at, data["viewers"], data.get("likes"))
        for at, data in series
        if data.get("viewers") is not None
    ]
    if not any(at == end for at, _, _ in points):
        points.append((end, event.data["viewers"], event.data.get("likes")))
    if len(points) < 2 or (points[-1][0] - points[0][0]).total_seconds() < rule.window_seconds / 2:
        return []  # too short a stretch to judge
    counts = dict(
        db_session.execute(
            select(LiveEvent.kind, func.count())
            .where(*in_window, LiveEvent.kind.in_([EventKind.chat, EventKind.order]))
            .group_by(LiveEvent.kind)
        ).all()
    )
    chats = counts.get(EventKind.chat, 0) + sum(e.kind is EventKind.chat for e in pending)
    orders = counts.get(EventKind.order, 0) + sum(e.kind is EventKind.order for e in pending)
    viewers = sum(p[1] for p in points) / len(points)
    likes_seen = [p[2] for p in points if p[2] is not None]
    likes = (max(likes_seen) - min(likes_seen)) if len(likes_seen) > 1 else 0
    interactions = chats + orders
    if viewers < rule.min_viewers:
        return []
    per_viewer = viewers / max(interactions, 1)
    per_like = likes / max(interactions, 1)
    if per_viewer <= rule.viewers_per_interaction and per_like <= rule.likes_per_interaction:
        return []
    state.traffic_found_at = end
    return [
        LiveFinding(
            session_id=session_id,
            event_pk=event.id,
            speaker_role=FindingSpeaker.of(event.speaker_role),  # counters: the room's own numbers
            listing_id=state.listing_id,
            source=FindingSource.traffic,
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=rule.message.format(
                window=rule.window_seconds,
                viewers=round(viewers),
                likes=likes,
                chats=chats,
                orders=orders,
            ),
            start=0,
            end=0,
            quote="",
            legal_basis=[b.model_dump(exclude_none=True) for b in rule.legal_basis],
            evidence={
                "window_seconds": rule.window_seconds,
                "series": [[at.isoformat(), v, lk] for at, v, lk in points],
                "chats": chats,
                "orders": orders,
                # whole numbers: the ledger's canonical JSON takes no floats
                "mean_viewers": round(viewers),
                "viewers_per_interaction": round(per_viewer),
                "likes_per_interaction": round(per_like),
            },
        )
    ]
