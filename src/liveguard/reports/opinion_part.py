"""The posts' part of a report (S10): negative items by category, trends by day, the
parties most named and typical examples, read through the opinion capability's service.
Posts are not ledger items, so their examples carry no ledger number; their words pass
the personal-information scrub like every text a report quotes."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from liveguard.opinion import service as opinion_service
from liveguard.reports import quotes
from liveguard.reports.analytics import Period
from liveguard.reports.labels import labels
from liveguard.reports.schemas import (
    Count,
    DaySeries,
    Example,
    OpinionPart,
    PartyMention,
    Trend,
)

TOP_PARTIES = 10
EXAMPLES = 3


def build(*, db_session: Session, period: Period) -> OpinionPart | None:
    """The period's posts counted, or None when the period has none."""
    total = opinion_service.posts_total(db_session, start=period.start, end=period.end)
    if total == 0:
        return None
    names = labels()
    daily = opinion_service.daily_counts(db_session, start=period.start, end=period.end)
    negative: Counter[str] = Counter()
    by_day: Counter[tuple[int, str]] = Counter()
    for row in daily:
        category = row.category.value
        negative[category] += row.negative
        by_day[((row.day - period.start).days, category)] += row.negative
    by_category = [
        Count(key=c, label=names.opinion_category(c), count=n)
        for c, n in sorted(negative.items(), key=lambda kv: (-kv[1], kv[0]))
        if n
    ]
    trend = Trend(
        days=period.days,
        series=[
            DaySeries(
                key=c.key,
                label=c.label,
                values=[by_day[(i, c.key)] for i in range(len(period.days))],
            )
            for c in by_category
        ],
    )
    parties = [
        PartyMention(name=p.name, kind=names.party_kind(p.kind.value), count=p.count)
        for p in opinion_service.top_parties(
            db_session, start=period.start, end=period.end, limit=TOP_PARTIES
        )
    ]
    examples = [
        Example(
            kind="post",
            label=names.opinion_category(post.category.value),
            text=quotes.clip(post.text),
            where=names.post_source(post.source),
            at=post.posted_at,
            ledger_seq=None,
        )
        for post in opinion_service.examples(
            db_session, start=period.start, end=period.end, limit=EXAMPLES
        )
    ]
    return OpinionPart(
        posts_total=total,
        negative_total=sum(negative.values()),
        negative_by_category=by_category,
        trend=trend,
        top_parties=parties,
        examples=examples,
    )
