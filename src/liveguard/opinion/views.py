"""Opinion routes: posts in (one, or a CSV / JSON lines file), the posts list, a text
classified on demand, trends by day, the parties most named, and spike alerts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from liveguard import refusals
from liveguard.bounds import Day, Id
from liveguard.opinion import service
from liveguard.opinion.enums import AlertStatus, Category
from liveguard.opinion.schemas import (
    AlertRead,
    ClassifyIn,
    ClassifyOut,
    DailyCount,
    ImportResult,
    MentionRead,
    PartyDailyCount,
    PartyMention,
    PostCreate,
    PostPage,
    PostRead,
    ScanIn,
)
from liveguard.web.deps import AnyStaff, Compliance, DbSession, Now, actor
from liveguard.web.limits import read_body

router = APIRouter(prefix="/opinion", tags=["opinion"])

Limit = Annotated[int, Query(ge=1, le=200)]


def _period(start: date, end: date) -> None:
    if end < start:
        raise refusals.invalid("opinion", "end", "ends_before_start")
    if (end - start).days > 366:
        raise refusals.invalid("opinion", "end", "period_too_long")


@router.post("/posts", status_code=status.HTTP_201_CREATED, response_model=PostRead)
def create_post(post_in: PostCreate, db_session: DbSession, _: Compliance) -> PostRead:
    """Store one post, review or complaint, classified and its parties linked; a spike it
    makes raises an alert."""
    post = service.create(db_session=db_session, post_in=post_in)
    service.scan_days(db_session=db_session, days={service.china_day(post.posted_at)})
    return PostRead.model_validate(post)


@router.post("/posts/import", response_model=ImportResult)
async def import_posts(request: Request, db_session: DbSession, _: Compliance) -> ImportResult:
    """Many posts: JSON lines (one object a line) or CSV with a header line
    (``Content-Type: text/csv``). Good rows are stored even when others fail; each failure
    names its line and field."""
    fix = f"split the file: at most {service.MAX_IMPORT_BYTES:,} bytes"
    body = await read_body(request, service.MAX_IMPORT_BYTES, fix)
    result = service.import_file(
        db_session=db_session, body=body, content_type=request.headers.get("content-type", "")
    )
    days = {
        service.china_day(service.get(db_session=db_session, post_id=post_id).posted_at)
        for post_id in result.created
    }
    service.scan_days(db_session=db_session, days=days)
    return result


@router.get("/posts", response_model=PostPage)
def list_posts(
    db_session: DbSession,
    _: AnyStaff,
    start: Day | None = None,
    end: Day | None = None,
    category: Category | None = None,
    negative: bool | None = None,
    source: Annotated[str | None, Query(max_length=40)] = None,
    party: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Limit = 50,
) -> PostPage:
    """Posts newest first, filtered by period (Beijing days), category, negative, source
    or a party's name."""
    posts, total = service.get_all(
        db_session=db_session,
        start=start,
        end=end,
        category=category,
        negative=negative,
        source=source,
        party=party,
        offset=offset,
        limit=limit,
    )
    items = [PostRead.model_validate(p) for p in posts]
    return PostPage(items=items, total=total, offset=offset, limit=limit)


@router.get("/posts/{post_id}", response_model=PostRead)
def read_post(post_id: Id, db_session: DbSession, _: AnyStaff) -> PostRead:
    return PostRead.model_validate(service.get(db_session=db_session, post_id=post_id))


@router.post("/classify", response_model=ClassifyOut)
def classify_text(body: ClassifyIn, db_session: DbSession, _: AnyStaff) -> ClassifyOut:
    """What the model says of a text, without storing it."""
    result, parties = service.analyse(body.text, service.directory(db_session=db_session))
    return ClassifyOut(
        category=Category(result.category),
        categories=[Category(c) for c in result.categories],
        negative=result.negative,
        sentiment=result.sentiment,
        scores=result.scores,
        parties=[
            MentionRead(name=p.name, written=p.written, kind=p.kind, party_id=p.party_id)
            for p in parties
        ],
    )


@router.get("/trends/categories", response_model=list[DailyCount])
def category_trends(start: Day, end: Day, db_session: DbSession, _: AnyStaff) -> list[DailyCount]:
    """Posts per Beijing day and category, and how many were negative."""
    _period(start, end)
    return service.daily_counts(db_session, start=start, end=end)


@router.get("/trends/parties", response_model=list[PartyDailyCount])
def party_trends(start: Day, end: Day, db_session: DbSession, _: AnyStaff) -> list[PartyDailyCount]:
    """Posts naming each party per Beijing day."""
    _period(start, end)
    return service.party_daily_counts(db_session, start=start, end=end)


@router.get("/parties", response_model=list[PartyMention])
def most_named(
    start: Day, end: Day, db_session: DbSession, _: AnyStaff, limit: Limit = 10
) -> list[PartyMention]:
    """The parties most named in the period."""
    _period(start, end)
    return service.top_parties(db_session, start=start, end=end, limit=limit)


@router.get("/alerts", response_model=list[AlertRead])
def list_alerts(
    db_session: DbSession, _: AnyStaff, status: AlertStatus | None = None
) -> list[AlertRead]:
    """Spike alerts, newest day first."""
    return [
        AlertRead.model_validate(a)
        for a in service.get_alerts(db_session=db_session, status=status)
    ]


@router.post("/alerts/scan", response_model=list[AlertRead])
def scan_alerts(body: ScanIn, db_session: DbSession, _: Compliance) -> list[AlertRead]:
    """Look at a day again: an alert for each category and party above its baseline."""
    alerts = service.scan_spikes(db_session=db_session, day=body.day)
    return [AlertRead.model_validate(a) for a in alerts]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertRead)
def acknowledge_alert(
    alert_id: Id, db_session: DbSession, now: Now, principal: Compliance
) -> AlertRead:
    """A staff member has seen the alert."""
    alert = service.get_alert(db_session=db_session, alert_id=alert_id)
    service.acknowledge(db_session=db_session, alert=alert, actor=actor(principal), now=now)
    return AlertRead.model_validate(alert)
