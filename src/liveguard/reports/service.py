"""Reports: build a period's content from the other capabilities' services, render its
PDF, store both, and append the PDF's SHA-256 to the evidence ledger; list and read them;
the seven harms for a platform's month.

The counting of findings is on DuckDB (``analytics``); complaints and posts are few
enough to count as they are read. Texts quoted in a report (a finding's quote, a
complaint's words) pass the personal-information scrub first: a report is public."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard import refusals
from liveguard.cases import service as cases_service
from liveguard.clock import CHINA
from liveguard.credit import schemas as credit_schemas
from liveguard.credit import service as credit_service
from liveguard.credit.enums import SubjectKind
from liveguard.errors import NotFound
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live import service as live_service
from liveguard.parties import service as parties_service
from liveguard.reports import analytics, harms, opinion_part, pdf, quotes
from liveguard.reports.analytics import Period, Room
from liveguard.reports.enums import Schedule
from liveguard.reports.labels import labels
from liveguard.reports.models import Report as Report
from liveguard.reports.schemas import (
    ComplaintStats,
    Count,
    DaySeries,
    Example,
    HarmRow,
    HarmsRead,
    ListChangeRow,
    MerchantRow,
    PartyHarms,
    ReportContent,
    ReportCreate,
    RoomRow,
    SevenHarms,
    Trend,
)

TOP = 10  # rows in a "most" table
EXAMPLE_CATEGORIES = 3  # finding examples: the latest of each of the commonest categories
EXAMPLE_COMPLAINTS = 2


def period_of(schedule: Schedule, today: date) -> Period:
    """The period a scheduled run covers: yesterday, or the last full week (Mon-Sun)."""
    if schedule is Schedule.daily:
        day = today - timedelta(days=1)
        return Period(day, day)
    if schedule is Schedule.weekly:
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6))
    raise refusals.invalid("reports", "schedule", "no_period_of_its_own")


def month_period(month: str) -> Period:
    """``YYYY-MM`` as the whole month."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise refusals.invalid("reports", "month", "not_a_month", value=month[:20]) from None
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def _rooms(db_session: Session, session_ids: Sequence[int]) -> dict[int, live_service.LiveSession]:
    found = live_service.sessions_by_ids(db_session=db_session, session_ids=session_ids)
    return {s.id: s for s in found}


def seven_harms(
    *,
    db_session: Session,
    period: Period,
    platform_id: int | None,
    counts: analytics.FindingCounts | None = None,
    complaints: Sequence[cases_service.ComplaintRow] | None = None,
) -> SevenHarms:
    """Findings and complaints under each of the seven harms, per merchant and anchor."""
    table = harms.mapping()
    if counts is None:
        counts = _count_findings(db_session, period, platform_id)
    if complaints is None:
        complaints = cases_service.filed_between(
            db_session=db_session, start=period.since, end=period.until, platform_id=platform_id
        )
    findings_by_harm: Counter[str] = Counter()
    complaints_by_harm: Counter[str] = Counter()
    merchants: dict[int, Counter[str]] = {}
    anchors: dict[int, Counter[str]] = {}
    for (harm, merchant_id, anchor_id), n in counts.by_harm_party.items():
        findings_by_harm[harm] += n
        merchants.setdefault(merchant_id, Counter())[harm] += n
        anchors.setdefault(anchor_id, Counter())[harm] += n
    for case in complaints:
        for harm in harms.of_complaint(case.facts or {}, case.summary, table=table):
            complaints_by_harm[harm] += 1
            if case.merchant_id is not None:
                merchants.setdefault(case.merchant_id, Counter())[harm] += 1
            if case.anchor_id is not None:
                anchors.setdefault(case.anchor_id, Counter())[harm] += 1
    ids = [h.id for h in table.harms]
    if findings_by_harm[harms.OTHER] or complaints_by_harm[harms.OTHER]:
        ids.append(harms.OTHER)
    rows = [
        HarmRow(
            harm=h,
            label=table.title(h),
            findings=findings_by_harm[h],
            complaints=complaints_by_harm[h],
        )
        for h in ids
    ]
    merchant_names = parties_service.merchant_names(
        db_session=db_session, merchant_ids=list(merchants)
    )
    anchor_names = parties_service.anchor_names(db_session=db_session, anchor_ids=list(anchors))
    return SevenHarms(
        source=table.source,
        rows=rows,
        merchants=_party_rows(merchants, merchant_names),
        anchors=_party_rows(anchors, anchor_names),
    )


def _party_rows(counts: dict[int, Counter[str]], names: dict[int, str]) -> list[PartyHarms]:
    seven = {harms.OTHER}  # "other" is kept out of a party's harms: it is no harm named
    rows = [
        PartyHarms(
            party_id=pid,
            name=names.get(pid, f"#{pid}"),
            counts=dict(c),
            total=sum(n for h, n in c.items() if h not in seven),
        )
        for pid, c in counts.items()
    ]
    rows = [r for r in rows if r.total]
    rows.sort(key=lambda r: (-r.total, r.party_id))
    return rows[:TOP]


def _count_findings(
    db_session: Session, period: Period, platform_id: int | None
) -> analytics.FindingCounts:
    columns = analytics.with_days(
        live_service.finding_columns(
            db_session=db_session, start=period.since, end=period.until, platform_id=platform_id
        ),
        period,
    )
    parties = live_service.session_parties(
        db_session=db_session, session_ids=np.unique(columns["session_id"]).tolist()
    )
    rooms = {pk: Room(merchant_id=m, anchor_id=a) for pk, (m, a) in parties.items()}
    return analytics.count_findings(columns, rooms, top=TOP)


def build(
    *,
    db_session: Session,
    period: Period,
    platform_id: int | None,
    title: str | None,
    now: datetime,
) -> ReportContent:
    """Everything a report counts for the period, from the other capabilities' services."""
    names = labels()
    platform = (
        parties_service.get_platform(db_session=db_session, platform_id=platform_id).name
        if platform_id is not None
        else None
    )
    counts = _count_findings(db_session, period, platform_id)
    complaints = cases_service.filed_between(
        db_session=db_session, start=period.since, end=period.until, platform_id=platform_id
    )
    events = live_service.count_events(
        db_session=db_session, start=period.since, end=period.until, platform_id=platform_id
    )
    opinion = opinion_part.build(db_session=db_session, period=period)
    sources = [names.sources["findings"], names.sources["events"], names.sources["complaints"]]
    if opinion is not None:
        sources.append(names.sources["posts"])
    sources.extend([names.sources["credit"], names.sources["ledger"]])

    totals = [
        Count(key="events", label="直播间事件", count=events),
        Count(key="findings", label="监测发现", count=counts.total),
        Count(key="complaints", label="消费者投诉", count=len(complaints)),
    ]
    if opinion is not None:
        totals.append(Count(key="posts", label="舆情帖子与评价", count=opinion.posts_total))
        totals.append(Count(key="negative_posts", label="其中负面", count=opinion.negative_total))

    by_category = [Count(key=c, label=names.category(c), count=n) for c, n in counts.by_category]
    trend = Trend(
        days=period.days,
        series=[
            DaySeries(
                key=c.key,
                label=c.label,
                values=[counts.by_day.get((i, c.key), 0) for i in range(len(period.days))],
            )
            for c in by_category
        ],
    )
    rooms = _rooms(db_session, [s for s, _ in counts.top_sessions])
    complaint_merchants = Counter(c.merchant_id for c in complaints if c.merchant_id)
    merchant_ids = [
        *(rooms[s].merchant_id for s, _ in counts.top_sessions if s in rooms),
        *counts.by_merchant,
        *complaint_merchants,
    ]
    merchant_names = parties_service.merchant_names(
        db_session=db_session, merchant_ids=merchant_ids
    )
    anchor_names = parties_service.anchor_names(
        db_session=db_session, anchor_ids=[r.anchor_id for r in rooms.values()]
    )
    top_rooms = [
        RoomRow(
            session_id=s,
            room_code=rooms[s].room_code,
            title=rooms[s].title,
            merchant=merchant_names.get(rooms[s].merchant_id, ""),
            anchor=anchor_names.get(rooms[s].anchor_id, ""),
            findings=n,
        )
        for s, n in counts.top_sessions
        if s in rooms
    ]
    merchant_totals = {
        m: (counts.by_merchant.get(m, 0), complaint_merchants.get(m, 0))
        for m in {*counts.by_merchant, *complaint_merchants}
    }
    top_merchants = [
        MerchantRow(merchant_id=m, name=merchant_names.get(m, f"#{m}"), findings=f, complaints=c)
        for m, (f, c) in sorted(merchant_totals.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:TOP]
    ]
    return ReportContent(
        title=title or _default_title(period, platform),
        start=period.start,
        end=period.end,
        platform=platform,
        generated_at=now,
        sources=sources,
        totals=totals,
        findings_by_category=by_category,
        findings_trend=trend,
        harms=seven_harms(
            db_session=db_session,
            period=period,
            platform_id=platform_id,
            counts=counts,
            complaints=complaints,
        ),
        top_rooms=top_rooms,
        top_merchants=top_merchants,
        complaints=_complaint_stats(db_session, period, platform_id, complaints),
        examples=_examples(db_session, period, platform_id, by_category, complaints),
        opinion=opinion,
        list_changes=list_changes(db_session=db_session, period=period, platform_id=platform_id),
    )


def _on_platform(db_session: Session, change: credit_schemas.ListChange, platform_id: int) -> bool:
    """Whether a listed party belongs to the platform a report is about (an MCN works
    across platforms and is in every platform's report only when it has none)."""
    if change.subject_kind is SubjectKind.platform:
        return change.subject_id == platform_id
    if change.subject_kind is SubjectKind.merchant:
        party = parties_service.get_merchant(db_session=db_session, merchant_id=change.subject_id)
        return party.platform_id == platform_id
    if change.subject_kind is SubjectKind.anchor:
        anchor = parties_service.get_anchor(db_session=db_session, anchor_id=change.subject_id)
        return anchor.platform_id == platform_id
    return False


def list_changes(
    *, db_session: Session, period: Period, platform_id: int | None
) -> list[ListChangeRow]:
    """The period's changes to the red and black lists, as credit recorded them."""
    changes = credit_service.list_changes(
        db_session=db_session, since=period.since, until=period.until
    )
    return [
        ListChangeRow(
            at=c.at,
            party=c.subject_name,
            party_kind=c.subject_zh,
            list_name=c.list_name_zh,
            change=c.change_zh,
            reason=c.reason,
            ledger_seq=c.ledger_seq,
        )
        for c in changes
        if platform_id is None or _on_platform(db_session, c, platform_id)
    ]


def _default_title(period: Period, platform: str | None) -> str:
    scope = f"{platform}" if platform else ""
    if period.start == period.end:
        return f"{scope}直播带货消费维权日报（{period.start:%Y年%m月%d日}）"
    return f"{scope}直播带货消费维权报告（{period.start:%Y年%m月%d日}至{period.end:%m月%d日}）"


def _complaint_stats(
    db_session: Session,
    period: Period,
    platform_id: int | None,
    complaints: Sequence[cases_service.ComplaintRow],
) -> ComplaintStats:
    names = labels()
    firsts = cases_service.first_responses(
        db_session=db_session, start=period.since, end=period.until, platform_id=platform_id
    )
    minutes = [
        int((firsts[c.id] - c.filed_at).total_seconds() // 60)
        for c in complaints
        if c.id in firsts and firsts[c.id] >= c.filed_at
    ]
    decided, paid = cases_service.amounts(
        db_session=db_session, start=period.since, end=period.until, platform_id=platform_id
    )
    states = Counter(c.state.value for c in complaints)
    return ComplaintStats(
        total=len(complaints),
        by_state=[
            Count(key=s, label=names.case_state(s), count=n) for s, n in states.most_common()
        ],
        answered=len(firsts),
        median_response_minutes=analytics.median(minutes),
        decided_fen=decided,
        paid_fen=paid,
    )


def _examples(
    db_session: Session,
    period: Period,
    platform_id: int | None,
    by_category: list[Count],
    complaints: Sequence[cases_service.ComplaintRow],
) -> list[Example]:
    examples = []
    for category in by_category[:EXAMPLE_CATEGORIES]:
        finding = live_service.latest_finding_of(
            db_session=db_session,
            category=category.key,
            start=period.since,
            end=period.until,
            platform_id=platform_id,
        )
        if finding is None:
            continue
        room = live_service.get(db_session=db_session, session_id=finding.session_id)
        examples.append(
            Example(
                kind="finding",
                label=category.label,
                text=quotes.clip(finding.quote),
                where=f"直播间 {room.room_code}《{room.title}》",
                at=finding.created_at,
                ledger_seq=finding.ledger_seq,
            )
        )
    for case in list(complaints)[-EXAMPLE_COMPLAINTS:]:
        shown = harms.of_complaint(case.facts or {}, case.summary)
        examples.append(
            Example(
                kind="complaint",
                label="、".join(harms.mapping().title(h) for h in shown),
                text=quotes.clip(case.summary),
                where="消费者投诉",
                at=case.filed_at,
                ledger_seq=case.ledger_seq,
            )
        )
    return examples


def create(
    *,
    db_session: Session,
    report_in: ReportCreate,
    schedule: Schedule = Schedule.on_demand,
    actor: str,
    now: datetime,
) -> Report:
    """Build, render and store a report; its PDF's SHA-256 goes into the ledger."""
    period = Period(report_in.start, report_in.end)
    content = build(
        db_session=db_session,
        period=period,
        platform_id=report_in.platform_id,
        title=report_in.title,
        now=now,
    )
    document = pdf.render(content)
    digest = hashlib.sha256(document).hexdigest()
    appended = ledger.append(
        db_session=db_session,
        now=now,
        records=[
            RecordIn(
                kind=RecordKind.report,
                occurred_at=now,
                where={"platform_id": report_in.platform_id} if report_in.platform_id else {},
                who={"actor": actor},
                data={
                    "title": content.title,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "schedule": schedule.value,
                    "pdf_sha256": digest,
                    "pdf_bytes": len(document),
                },
            )
        ],
    )
    report = Report(
        schedule=schedule,
        start=period.start,
        end=period.end,
        platform_id=report_in.platform_id,
        title=content.title,
        content=content.model_dump(mode="json"),
        pdf=document,
        pdf_sha256=digest,
        ledger_seq=appended[0].seq,
        created_by=actor,
        created_at=now,
    )
    db_session.add(report)
    db_session.flush()
    return report


def run_scheduled(
    *, db_session: Session, schedule: Schedule, today: date, now: datetime
) -> tuple[Report, bool]:
    """The scheduled report for the period before ``today``: made once (a second run the
    same day returns the first), for every platform together. True when made now."""
    period = period_of(schedule, today)
    existing = db_session.scalars(
        select(Report).where(
            Report.schedule == schedule,
            Report.start == period.start,
            Report.end == period.end,
            Report.platform_id.is_(None),
        )
    ).first()
    if existing is not None:
        return existing, False
    made = create(
        db_session=db_session,
        report_in=ReportCreate(start=period.start, end=period.end),
        schedule=schedule,
        actor="system:schedule",
        now=now,
    )
    return made, True


def get(*, db_session: Session, report_id: int) -> Report:
    found = db_session.get(Report, report_id)
    if found is None:
        raise NotFound("report", report_id)
    return found


def get_all(*, db_session: Session, limit: int = 50, offset: int = 0) -> Sequence[Report]:
    """Past reports, newest first."""
    return db_session.scalars(
        select(Report)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()


def count(*, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count(Report.id))) or 0)


def harms_read(*, db_session: Session, period: Period, platform_id: int | None) -> HarmsRead:
    """The seven harms over a period, with the platform's name."""
    platform = (
        parties_service.get_platform(db_session=db_session, platform_id=platform_id).name
        if platform_id is not None
        else None
    )
    return HarmsRead(
        start=period.start,
        end=period.end,
        platform=platform,
        harms=seven_harms(db_session=db_session, period=period, platform_id=platform_id),
    )


def pdf_filename(report: Report) -> str:
    """An ASCII file name for the download: the period and the report's id."""
    return f"liveguard-report-{report.id}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.pdf"


def content_of(report: Report) -> ReportContent:
    return ReportContent.model_validate(report.content)


def generated_on(report: Report) -> date:
    """The day (Beijing time) a report was made."""
    return report.created_at.astimezone(CHINA).date()
