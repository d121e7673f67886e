"""Posts in (one at a time or a file of them), classified and their parties linked; the
counts a report reads (by day and category, the parties most named, examples); spikes.

Days are Beijing days: a post at 23:30 on 1 June Beijing time counts on 1 June, whatever
UTC says. Services flush; the request or the flow commits.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from liveguard import refusals
from liveguard.clock import CHINA
from liveguard.errors import NotFound
from liveguard.opinion import classify, naming, trends
from liveguard.opinion.enums import AlertStatus, Category, PartyKind, SubjectKind
from liveguard.opinion.models import Mention, Post, SpikeAlert
from liveguard.opinion.schemas import (
    DailyCount,
    ImportResult,
    PartyDailyCount,
    PartyMention,
    PostCreate,
    PostRead,
    RowError,
)
from liveguard.parties import service as parties_service
from liveguard.privacy import service as privacy_service

# The rows this service hands out, for callers that annotate with them.
Post = Post
SpikeAlert = SpikeAlert

MAX_IMPORT_ROWS = 20_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # 20,000 posts of up to ~1 kB each
_PARTY_LIMIT = 100_000  # every merchant and anchor LiveGuard has, for linking


# --- the window of days ----------------------------------------------------------------


def day_start(day: date) -> datetime:
    """The first moment of a Beijing day, in UTC."""
    return datetime.combine(day, time(), CHINA).astimezone(UTC)


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise refusals.invalid("opinion", "end", "ends_before_start")


def _in_range(query: Any, start: date, end: date) -> Any:
    _check_range(start, end)
    return query.where(
        Post.posted_at >= day_start(start), Post.posted_at < day_start(end + timedelta(days=1))
    )


# --- classifying and linking -----------------------------------------------------------


def directory(*, db_session: Session) -> naming.Directory:
    """LiveGuard's platforms, merchants and anchors, by every name they go by."""
    known: list[naming.Known] = []
    for platform in parties_service.get_all_platforms(db_session=db_session):
        known.append(naming.Known(PartyKind.platform, platform.id, platform.name, (platform.code,)))
    merchants, _ = parties_service.get_all_merchants(db_session=db_session, limit=_PARTY_LIMIT)
    for merchant in merchants:
        known.append(
            naming.Known(PartyKind.merchant, merchant.id, merchant.shop_name, (merchant.name,))
        )
    anchors, _ = parties_service.get_all_anchors(db_session=db_session, limit=_PARTY_LIMIT)
    for anchor in anchors:
        known.append(naming.Known(PartyKind.anchor, anchor.id, anchor.nickname, ()))
    return naming.Directory.of(known)


def analyse(
    text: str, found_in: naming.Directory | None = None
) -> tuple[classify.Result, list[naming.Found]]:
    """What the model says of a text, and the parties it names."""
    return classify.packaged().classify(text), naming.extract(text, found_in)


def _store(db_session: Session, post_in: PostCreate, found_in: naming.Directory) -> Post:
    result, parties = analyse(post_in.text, found_in)
    post = Post(
        source=post_in.source,
        external_id=post_in.external_id,
        posted_at=post_in.posted_at,
        text=privacy_service.mask_text(post_in.text),  # read above as written, kept masked
        author=post_in.author,
        links=list(post_in.links),
        platform=post_in.platform,
        category=result.category,
        categories=result.categories,
        negative=result.negative,
        sentiment=result.sentiment,
        model_version=classify.packaged().version,
        mentions=[
            Mention(name=p.name[:200], written=p.written[:200], kind=p.kind, party_id=p.party_id)
            for p in parties
        ],
    )
    db_session.add(post)
    return post


def _existing(db_session: Session, source: str, external_id: str | None) -> Post | None:
    if external_id is None:
        return None
    return db_session.scalar(
        select(Post).where(Post.source == source, Post.external_id == external_id)
    )


def create(*, db_session: Session, post_in: PostCreate) -> Post:
    """Store one post, classified; the same (source, external_id) twice is one post."""
    if (found := _existing(db_session, post_in.source, post_in.external_id)) is not None:
        return found
    post = _store(db_session, post_in, directory(db_session=db_session))
    db_session.flush()
    return post


def create_many(*, db_session: Session, posts_in: Sequence[PostCreate]) -> list[Post]:
    """Store many posts (a feed, the demo) with one look-up of LiveGuard's parties."""
    found_in = directory(db_session=db_session)
    posts = [_store(db_session, post_in, found_in) for post_in in posts_in]
    db_session.flush()
    return posts


def get(*, db_session: Session, post_id: int) -> Post:
    post = db_session.get(Post, post_id)
    if post is None:
        raise NotFound("post", post_id)
    return post


def latest_day(*, db_session: Session) -> date | None:
    """The Beijing day of the newest post, or None when there is none."""
    newest = db_session.scalar(select(func.max(Post.posted_at)))
    return china_day(newest) if newest else None


def get_all(
    *,
    db_session: Session,
    start: date | None = None,
    end: date | None = None,
    category: Category | None = None,
    negative: bool | None = None,
    source: str | None = None,
    party: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Post], int]:
    """Posts newest first, filtered; and how many match."""
    query = select(Post)
    if start is not None and end is not None:
        _check_range(start, end)  # a reversed period is a mistake to name, not an empty page
    if start is not None:
        query = query.where(Post.posted_at >= day_start(start))
    if end is not None:
        query = query.where(Post.posted_at < day_start(end + timedelta(days=1)))
    if category is not None:
        query = query.where(Post.category == category.value)
    if negative is not None:
        query = query.where(Post.negative == negative)
    if source:
        query = query.where(Post.source == source)
    if party:
        query = query.where(Post.id.in_(select(Mention.post_id).where(Mention.name == party)))
    total = db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db_session.scalars(
        query.options(selectinload(Post.mentions))
        .order_by(Post.posted_at.desc(), Post.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


# --- import ------------------------------------------------------------------------------


def _rows(body: bytes, content_type: str) -> Iterator[tuple[int, Any]]:
    """(line number, row) of a CSV (header on line 1) or JSON lines file."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refusals.invalid("opinion", "body", "not_utf8") from None
    if "csv" in content_type:
        reader = csv.DictReader(io.StringIO(text))
        line = 1
        for raw in reader:
            row: dict[str, Any] = {}
            for key, value in raw.items():
                if key is None or value is None or not str(value).strip():
                    continue
                key = key.strip()
                if key == "links":
                    row[key] = [part.strip() for part in value.split() if part.strip()]
                else:
                    row[key] = value.strip()
            yield line + 1, row
            line = reader.line_num
        return
    for number, line_text in enumerate(text.splitlines(), start=1):
        if not line_text.strip():
            continue
        try:
            yield number, json.loads(line_text)
        except ValueError as error:
            yield number, error


def import_file(*, db_session: Session, body: bytes, content_type: str) -> ImportResult:
    """Every valid row stored and classified; every bad one reported by its line number.

    JSON lines (one object a line) or CSV with a header line: ``source, posted_at, text,
    author, links`` (space-separated), ``platform``, ``external_id``."""
    errors: list[RowError] = []
    valid: list[PostCreate] = []
    seen: set[tuple[str, str]] = set()
    skipped = 0
    for number, raw in _rows(body, content_type):
        if len(valid) + len(errors) >= MAX_IMPORT_ROWS:
            raise refusals.invalid("opinion", "body", "too_many_rows", limit=f"{MAX_IMPORT_ROWS:,}")
        if isinstance(raw, ValueError):
            errors.append(
                RowError(
                    line=number,
                    field="line",
                    message=refusals.sentence("opinion", "not_json", reason=raw),
                )
            )
            continue
        if not isinstance(raw, dict):
            errors.append(
                RowError(
                    line=number, field="line", message=refusals.sentence("opinion", "not_an_object")
                )
            )
            continue
        try:
            post_in = PostCreate.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"]) or "line"
                message = str(item["msg"]).removeprefix("Value error, ")
                errors.append(RowError(line=number, field=where, message=message))
            continue
        if post_in.external_id is not None:
            key = (post_in.source, post_in.external_id)
            if key in seen or _existing(db_session, *key) is not None:
                skipped += 1
                continue
            seen.add(key)
        valid.append(post_in)
    if not valid and not errors and not skipped:
        raise refusals.invalid("opinion", "body", "no_rows")
    found_in = directory(db_session=db_session)
    posts = [_store(db_session, post_in, found_in) for post_in in valid]
    db_session.flush()
    return ImportResult(created=[p.id for p in posts], skipped=skipped, errors=errors)


# --- what a report reads ----------------------------------------------------------------


def posts_total(db_session: Session, *, start: date, end: date) -> int:
    """How many posts the period has (Beijing days, both ends included)."""
    query = _in_range(select(func.count(Post.id)), start, end)
    return int(db_session.scalar(query) or 0)


def _china_day_sql(db_session: Session, moment: Any) -> Any:
    """The database's own Beijing day of a stored UTC time: UTC+8 all year (clock.CHINA)."""
    if db_session.get_bind().dialect.name == "sqlite":  # stored there as naive UTC text
        return func.date(moment, "+8 hours")
    return func.date(func.timezone("UTC", moment) + timedelta(hours=8))


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def daily_counts(db_session: Session, *, start: date, end: date) -> list[DailyCount]:
    """Posts per Beijing day and category (the main category), and how many negative;
    counted by the database, one row a day and category."""
    day = _china_day_sql(db_session, Post.posted_at)
    query = select(
        day,
        Post.category,
        func.count(),
        func.sum(case((Post.negative.is_(True), 1), else_=0)),
    ).group_by(day, Post.category)
    rows = db_session.execute(_in_range(query, start, end)).all()
    counts = sorted((_as_date(d), category, n, int(neg)) for d, category, n, neg in rows)
    return [
        DailyCount(day=d, category=Category(category), negative=neg, total=n)
        for d, category, n, neg in counts
    ]


def _mention_rows(db_session: Session, start: date, end: date) -> Sequence[Any]:
    query = select(Post.posted_at, Mention.name, Mention.kind, Mention.party_id).join(
        Mention, Mention.post_id == Post.id
    )
    return db_session.execute(_in_range(query, start, end)).all()


def top_parties(
    db_session: Session, *, start: date, end: date, limit: int = 10
) -> list[PartyMention]:
    """The parties most named in the period, with how many posts named each; counted by
    the database, one row a party."""
    query = (
        select(Mention.name, Mention.kind, Mention.party_id, func.count())
        .join(Post, Mention.post_id == Post.id)
        .group_by(Mention.name, Mention.kind, Mention.party_id)
    )
    rows = db_session.execute(_in_range(query, start, end)).all()
    ranked = sorted(rows, key=lambda row: (-row[3], row[0]))
    return [
        PartyMention(name=name, kind=PartyKind(kind), party_id=party_id, count=n)
        for name, kind, party_id, n in ranked[:limit]
    ]


def party_daily_counts(db_session: Session, *, start: date, end: date) -> list[PartyDailyCount]:
    """Posts naming each party per Beijing day."""
    counts: Counter[tuple[date, str, PartyKind, int | None]] = Counter()
    for posted_at, name, kind, party_id in _mention_rows(db_session, start, end):
        counts[(china_day(posted_at), name, PartyKind(kind), party_id)] += 1
    return [
        PartyDailyCount(day=day, name=name, kind=kind, party_id=party_id, count=n)
        for (day, name, kind, party_id), n in sorted(
            counts.items(), key=lambda i: (i[0][0], i[0][1])
        )
    ]


def examples(
    db_session: Session, *, start: date, end: date, category: str | None = None, limit: int = 5
) -> list[PostRead]:
    """Typical negative posts of the period (of one category when given): the ones the
    model is surest are complaints, most negative first."""
    query = _in_range(select(Post).where(Post.negative.is_(True)), start, end)
    if category is not None:
        query = query.where(Post.category == Category(category).value)
    rows = db_session.scalars(
        query.options(selectinload(Post.mentions))
        .order_by(Post.sentiment, Post.posted_at, Post.id)
        .limit(limit)
    ).all()
    return [PostRead.model_validate(post) for post in rows]


# --- spikes ------------------------------------------------------------------------------


def _subject_counts(
    db_session: Session, start: date, end: date
) -> dict[tuple[SubjectKind, str], Counter[date]]:
    counts: dict[tuple[SubjectKind, str], Counter[date]] = defaultdict(Counter)
    rows = db_session.execute(
        _in_range(
            select(Post.posted_at, Post.categories).where(Post.negative.is_(True)), start, end
        )
    )
    for posted_at, categories in rows:
        for category in categories:
            if category != Category.other.value:
                counts[(SubjectKind.category, category)][china_day(posted_at)] += 1
    for posted_at, name, kind, _ in _mention_rows(db_session, start, end):
        counts[(SubjectKind.party, f"{kind}:{name}")][china_day(posted_at)] += 1
    return counts


def _label(kind: SubjectKind, subject: str) -> str:
    if kind is SubjectKind.category:
        return f"{classify.label_zh(subject)}类负面舆情"
    party_kind, _, name = subject.partition(":")
    kinds = {"merchant": "商家", "anchor": "主播", "platform": "平台", "brand": "品牌"}
    return f"{kinds.get(party_kind, party_kind)}「{name}」被提及"


def scan_spikes(*, db_session: Session, day: date) -> list[SpikeAlert]:
    """Raise (or refresh) an alert for each category and party above its baseline on
    ``day``; the method is in ``trends``. Returns the day's alerts."""
    config = trends.rules()
    first = day - timedelta(days=config.window_days)
    counts = _subject_counts(db_session, first, day)
    history_days = [first + timedelta(days=n) for n in range(config.window_days)]
    alerts = []
    for (kind, subject), per_day in sorted(counts.items()):
        count = per_day.get(day, 0)
        if not count:
            continue
        spike = trends.check(
            [per_day.get(d, 0) for d in history_days],
            count,
            party=kind is SubjectKind.party,
            config=config,
        )
        if spike is None:
            continue
        alert = db_session.scalar(
            select(SpikeAlert).where(
                SpikeAlert.day == day,
                SpikeAlert.subject_kind == kind,
                SpikeAlert.subject == subject,
            )
        )
        if alert is None:
            alert = SpikeAlert(
                day=day,
                subject_kind=kind,
                subject=subject[:200],
                label=_label(kind, subject)[:200],
                count=spike.count,
                baseline=spike.baseline,
                threshold=spike.threshold,
                method=trends.METHOD,
            )
            db_session.add(alert)
        else:
            alert.count, alert.baseline, alert.threshold = (
                spike.count,
                spike.baseline,
                spike.threshold,
            )
        alerts.append(alert)
    db_session.flush()
    return alerts


def scan_days(*, db_session: Session, days: set[date]) -> list[SpikeAlert]:
    return [alert for day in sorted(days) for alert in scan_spikes(db_session=db_session, day=day)]


def get_alerts(
    *, db_session: Session, status: AlertStatus | None = None, limit: int = 200
) -> list[SpikeAlert]:
    query = select(SpikeAlert)
    if status is not None:
        query = query.where(SpikeAlert.status == status)
    return list(
        db_session.scalars(query.order_by(SpikeAlert.day.desc(), SpikeAlert.id.desc()).limit(limit))
    )


def get_alert(*, db_session: Session, alert_id: int) -> SpikeAlert:
    alert = db_session.get(SpikeAlert, alert_id)
    if alert is None:
        raise NotFound("alert", alert_id)
    return alert


def acknowledge(*, db_session: Session, alert: SpikeAlert, actor: str, now: datetime) -> SpikeAlert:
    """A staff member has seen the alert."""
    alert.status = AlertStatus.acknowledged
    alert.acknowledged_by = actor[:60]
    alert.acknowledged_at = now
    db_session.flush()
    return alert
