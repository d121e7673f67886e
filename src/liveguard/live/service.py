"""Live sessions, their findings and refusals, and the room list's risk score.

Events come in through ``ingest.py``, which runs ``flows.py`` (the monitor, then policy);
this module holds the reads and small writes other packages reach the live capability
through. Other packages annotate the rows it hands out with the names it exports
(``live_service.LiveSession``) and never select them themselves."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVarTuple

import numpy as np
from sqlalchemy import Date, Select, String, cast, func, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from liveguard import labels, paging, refusals
from liveguard.detect import service as detect_service
from liveguard.errors import NotFound
from liveguard.live.enums import FindingSource, FindingSpeaker, FindingStatus
from liveguard.live.models import LiveEvent as LiveEvent
from liveguard.live.models import LiveFinding as LiveFinding
from liveguard.live.models import LiveFindingTally, LiveRefusal
from liveguard.live.models import LiveSession as LiveSession
from liveguard.live.schemas import BusStatus as BusStatus
from liveguard.live.schemas import PartitionStatus as PartitionStatus
from liveguard.live.schemas import RoomPictureRead, SessionCreate
from liveguard.parties import service as parties_service

if TYPE_CHECKING:
    from liveguard.live.bus_view import BusView
    from liveguard.live.worker import Bus


def create(*, db_session: Session, session_in: SessionCreate) -> LiveSession:
    parties_service.get_platform(db_session=db_session, platform_id=session_in.platform_id)
    anchor = parties_service.get_anchor(db_session=db_session, anchor_id=session_in.anchor_id)
    merchant = parties_service.get_merchant(
        db_session=db_session, merchant_id=session_in.merchant_id
    )
    if anchor.platform_id != session_in.platform_id:
        raise refusals.invalid("live", "anchor_id", "anchor_elsewhere")
    if merchant.platform_id != session_in.platform_id:
        raise refusals.invalid("live", "merchant_id", "merchant_elsewhere")
    live_session = LiveSession(**session_in.model_dump())
    db_session.add(live_session)
    db_session.flush()
    return live_session


def get(*, db_session: Session, session_id: int) -> LiveSession:
    found = db_session.get(LiveSession, session_id)
    if found is None:
        raise NotFound("live session", session_id)
    return found


def rule_words(rule: str | None, category: str | None = None) -> str:
    """A finding's rule as a person reads it, never its id: a detection rule's or QR
    payload rule's own message; for the monitor's checks on the room's numbers, whose
    messages are filled per finding, the name of their category."""
    from liveguard.live import claims, payloads

    if rule:
        found = detect_service.rule_message(rule) or next(
            (r.message for r in payloads.payload_rules() if r.id == rule), None
        )
        if found:
            return found.rstrip("。.；; ")
        monitor = claims.rules()
        checks = [(c.id, c.category) for c in monitor.claims]
        checks += [(c.id, c.category) for c in (monitor.listing_change, monitor.traffic)]
        category = next((c for r, c in checks if r == rule), category)
    return labels.label(category, "detect.rule_category") if category else "监测发现"


def ledger_where(live_session: LiveSession) -> dict[str, object]:
    """Where a live record happened, as every ledger record of a room says it."""
    return {
        "platform_id": live_session.platform_id,
        "room": live_session.room_code,
        "session_id": live_session.id,
    }


# A room's state as a list filters it: on air, ended, or suspended (by policy or staff).
ROOM_STATES = ("live", "ended", "suspended")


def search_sessions(
    *,
    db_session: Session,
    filters: paging.ListQuery,
    after: str | None = None,
    limit: int = paging.DEFAULT_PAGE,
) -> paging.Page[LiveSession]:
    """A page of live rooms: text in the title or room code (or an id), state (live,
    ended, suspended), platform, shop, anchor, Beijing dates started; newest first."""
    query = select(LiveSession)
    state = paging.one_of("status", filters.status, {s: s for s in ROOM_STATES}, "room_status")
    if state == "live":
        query = query.where(LiveSession.ended_at.is_(None), LiveSession.suspended_at.is_(None))
    elif state == "ended":
        query = query.where(LiveSession.ended_at.is_not(None))
    elif state == "suspended":
        query = query.where(LiveSession.suspended_at.is_not(None))
    for column, value in (
        (LiveSession.platform_id, filters.platform_id),
        (LiveSession.merchant_id, filters.merchant_id),
        (LiveSession.anchor_id, filters.anchor_id),
    ):
        if value is not None:
            query = query.where(column == value)
    query = paging.matching(
        query, filters.q, [LiveSession.title, LiveSession.room_code], LiveSession.id
    )
    query = paging.in_days(query, LiveSession.started_at, filters)
    return paging.keyset_page(
        db_session,
        query,
        order=LiveSession.started_at,
        ident=LiveSession.id,
        sort=filters.sort,
        after=after,
        limit=limit,
    )


SEVERITIES = ("low", "medium", "high", "critical")


def search_findings(
    *,
    db_session: Session,
    filters: paging.ListQuery,
    after: str | None = None,
    limit: int = paging.DEFAULT_PAGE,
) -> paging.Page[LiveFinding]:
    """A page of live findings: text in the message, quote or rule (or an id), category,
    severity, status, room, shop and anchor (through the room), platform, Beijing dates
    found; newest or oldest first."""
    query = select(LiveFinding)
    status = paging.one_of(
        "status", filters.status, {s.value: s for s in FindingStatus}, "finding_status"
    )
    severity = paging.one_of("severity", filters.severity, {s: s for s in SEVERITIES}, "severity")
    if status is not None:
        query = query.where(LiveFinding.status == status)
    if severity is not None:
        query = query.where(LiveFinding.severity == severity)
    if filters.category:
        query = query.where(LiveFinding.category == filters.category)
    if filters.session_id is not None:
        query = query.where(LiveFinding.session_id == filters.session_id)
    rooms = {
        LiveSession.platform_id: filters.platform_id,
        LiveSession.merchant_id: filters.merchant_id,
        LiveSession.anchor_id: filters.anchor_id,
    }
    if any(v is not None for v in rooms.values()):
        room_ids = select(LiveSession.id)
        for column, value in rooms.items():
            if value is not None:
                room_ids = room_ids.where(column == value)
        query = query.where(LiveFinding.session_id.in_(room_ids))
    query = paging.matching(
        query,
        filters.q,
        [LiveFinding.message, LiveFinding.quote, LiveFinding.rule],
        LiveFinding.id,
    )
    query = paging.in_days(query, LiveFinding.created_at, filters)
    return paging.keyset_page(
        db_session,
        query,
        order=LiveFinding.created_at,
        ident=LiveFinding.id,
        sort=filters.sort,
        after=after,
        limit=limit,
    )


def count(*, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(LiveSession)) or 0)


def get_all(
    *,
    db_session: Session,
    limit: int = 50,
    merchant_id: int | None = None,
    anchor_id: int | None = None,
) -> Sequence[LiveSession]:
    query = select(LiveSession).order_by(LiveSession.started_at.desc()).limit(limit)
    if merchant_id is not None:
        query = query.where(LiveSession.merchant_id == merchant_id)
    if anchor_id is not None:
        query = query.where(LiveSession.anchor_id == anchor_id)
    return db_session.scalars(query).all()


def get_by_room_code(*, db_session: Session, room_code: str) -> LiveSession | None:
    """The latest session of the room a viewer page shows as ``XH-880231`` (typed in any
    case, with or without the dash); None if no room has that code."""
    wanted = room_code.strip().upper().replace(" ", "").replace("－", "-")
    query = select(LiveSession).order_by(LiveSession.started_at.desc())
    exact = db_session.scalars(query.where(func.upper(LiveSession.room_code) == wanted)).first()
    if exact is not None or "-" in wanted:
        return exact
    loose = func.upper(func.replace(LiveSession.room_code, "-", ""))
    return db_session.scalars(query.where(loose == wanted)).first()


def get_events(*, db_session: Session, session_id: int) -> Sequence[LiveEvent]:
    query = select(LiveEvent).where(LiveEvent.session_id == session_id).order_by(LiveEvent.seq)
    return db_session.scalars(query).all()


def suspend(*, db_session: Session, live_session: LiveSession, now: datetime) -> LiveSession:
    if live_session.suspended_at is None:
        live_session.suspended_at = now
        db_session.flush()
    return live_session


def get_finding(*, db_session: Session, finding_id: int) -> LiveFinding:
    found = db_session.get(LiveFinding, finding_id)
    if found is None:
        raise NotFound("live finding", finding_id)
    return found


def get_findings(
    *, db_session: Session, session_id: int, event_pks: Iterable[int] | None = None
) -> Sequence[LiveFinding]:
    query = select(LiveFinding).where(LiveFinding.session_id == session_id)
    if event_pks is not None:
        query = query.where(LiveFinding.event_pk.in_(list(event_pks)))
    return db_session.scalars(query.order_by(LiveFinding.id)).all()


@dataclass(frozen=True)
class FindingAgainst:
    """The few columns of a finding another capability weighs (credit): no JSON loaded."""

    id: int
    session_id: int
    session_title: str
    severity: str
    message: str
    created_at: datetime
    ledger_seq: int | None


Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Against:
    """Whose open findings another capability weighs (credit): said or shown by
    ``speakers`` from ``since`` (and after ``after``) in the rooms of a merchant, of some
    anchors or of a platform, of ``sources`` only when given."""

    speakers: Iterable[FindingSpeaker]
    since: datetime
    merchant_id: int | None = None
    anchor_ids: Iterable[int] | None = None
    platform_id: int | None = None
    sources: Iterable[FindingSource] | None = None
    after: datetime | None = None

    def where(self, query: Select[*Ts]) -> Select[*Ts]:
        query = query.join(LiveSession, LiveSession.id == LiveFinding.session_id).where(
            LiveFinding.status == FindingStatus.open,
            LiveFinding.speaker_role.in_(list(self.speakers)),
            LiveFinding.created_at >= self.since,
        )
        if self.after is not None:
            query = query.where(LiveFinding.created_at > self.after)
        if self.merchant_id is not None:
            query = query.where(LiveSession.merchant_id == self.merchant_id)
        if self.anchor_ids is not None:
            query = query.where(LiveSession.anchor_id.in_(list(self.anchor_ids)))
        if self.platform_id is not None:
            query = query.where(LiveSession.platform_id == self.platform_id)
        if self.sources is not None:
            query = query.where(LiveFinding.source.in_(list(self.sources)))
        return query


def findings_against(
    *,
    db_session: Session,
    speakers: Iterable[FindingSpeaker],
    since: datetime,
    merchant_id: int | None = None,
    anchor_ids: Iterable[int] | None = None,
    platform_id: int | None = None,
    sources: Iterable[FindingSource] | None = None,
) -> list[FindingAgainst]:
    """Open (never dismissed) findings said or shown by ``speakers`` since ``since`` in
    the rooms of a merchant, of some anchors, or of a platform, oldest first: what the
    credit capability counts against them. ``sources`` keeps only findings of those
    sources (credit weighs bought traffic apart from what was said)."""
    against = Against(speakers, since, merchant_id, anchor_ids, platform_id, sources)
    return newest_against(db_session=db_session, against=against)


_AGAINST_COLUMNS = (
    LiveFinding.id,
    LiveFinding.session_id,
    LiveSession.title,
    LiveFinding.severity,
    LiveFinding.message,
    LiveFinding.created_at,
    LiveFinding.ledger_seq,
)


def newest_against(
    *, db_session: Session, against: Against, limit: int | None = None
) -> list[FindingAgainst]:
    """Every finding ``against`` names, oldest first; or with ``limit``, the newest
    ``limit`` of them newest first (by time, then by id as stored)."""
    query = against.where(select(*_AGAINST_COLUMNS))
    if limit is None:
        query = query.order_by(LiveFinding.id)
    else:
        query = query.order_by(LiveFinding.created_at.desc(), LiveFinding.id).limit(limit)
    return [FindingAgainst(*row) for row in db_session.execute(query).all()]


def _china_day(db_session: Session) -> ColumnElement[Any]:
    """A finding's day in China (UTC+8, as ``clock.CHINA``) computed by the database."""
    if db_session.get_bind().dialect.name == "sqlite":  # naive UTC text there
        # to the second first: SQLite's date functions round microseconds to milliseconds,
        # which puts 15:59:59.9999995 UTC on the next day
        return func.date(func.substr(LiveFinding.created_at, 1, 19), "+8 hours")
    return cast(func.timezone("UTC", LiveFinding.created_at) + timedelta(hours=8), Date)


def tally_against(
    *, db_session: Session, against: Against, ref_prefix: str, digest: Callable[[list[str]], str]
) -> tuple[list[tuple[str, date, int]], str]:
    """The findings ``against`` names as (severity, day in China, how many), and the
    digest of their refs (``ref_prefix`` and the id): the sha-256 of the refs sorted and
    joined by newlines, its first 16 hex digits, as ``digest`` makes it. What a score
    counts, a few rows a day however many findings, summed by the database instead of
    loaded one by one; PostgreSQL makes the digest too, SQLite reads the ids for it."""
    day = _china_day(db_session)
    query = against.where(select(LiveFinding.severity, day, func.count()))
    rows = [
        (severity, on if isinstance(on, date) else date.fromisoformat(on), count)
        for severity, on, count in db_session.execute(query.group_by(LiveFinding.severity, day))
    ]
    if db_session.get_bind().dialect.name == "sqlite":
        ids = db_session.scalars(against.where(select(LiveFinding.id))).all()
        return rows, digest([f"{ref_prefix}{pk}" for pk in ids])
    ref = literal(ref_prefix) + cast(LiveFinding.id, String)
    joined = func.string_agg(ref, aggregate_order_by(literal("\n"), ref.collate("C")))
    text = func.coalesce(joined, literal(""))
    hashed = func.encode(func.sha256(func.convert_to(text, "UTF8")), "hex")
    found = db_session.scalar(against.where(select(func.substr(hashed, 1, 16))))
    return rows, str(found)


def finding_ledger_seqs(
    *, db_session: Session, finding_ids: Iterable[int]
) -> dict[int, int | None]:
    """The findings' ledger items by finding id, in one query."""
    ids = list(finding_ids)
    if not ids:
        return {}
    rows = db_session.execute(
        select(LiveFinding.id, LiveFinding.ledger_seq).where(LiveFinding.id.in_(ids))
    ).all()
    return {pk: seq for pk, seq in rows}


def dismiss_finding(*, db_session: Session, finding: LiveFinding) -> LiveSession:
    """Mark a finding dismissed: it leaves the open tallies policy and the risk score read.
    Conflict when it is dismissed already. Returns the finding's session."""
    if finding.status is FindingStatus.dismissed:
        raise refusals.conflict("live", "finding_id", "finding_dismissed")
    live_session = get(db_session=db_session, session_id=finding.session_id)
    finding.status = FindingStatus.dismissed
    count_findings(
        db_session=db_session,
        anchors={live_session.id: live_session.anchor_id},
        changes={(live_session.id, finding.category, finding.speaker_role): -1},
    )
    return live_session


def open_finding_counts(
    *, db_session: Session, session_ids: Iterable[int]
) -> dict[tuple[int, str, str], int]:
    """Open findings per (session, category, speaker): a policy's repeat count."""
    rows = db_session.execute(
        select(
            LiveFindingTally.session_id,
            LiveFindingTally.category,
            LiveFindingTally.speaker_role,
            LiveFindingTally.open,
        ).where(LiveFindingTally.session_id.in_(list(session_ids)), LiveFindingTally.open > 0)
    ).all()
    return {(sid, category, speaker.value): int(n) for sid, category, speaker, n in rows}


def anchor_history(
    *, db_session: Session, anchor_ids: Iterable[int], categories: Iterable[str] | None = None
) -> dict[tuple[int, str, str], set[int]]:
    """Per (anchor, category, speaker), the anchor's sessions with an open finding of it
    (the sessions themselves: one counted for several speakers is still one session);
    only of ``categories`` when given."""
    rows = db_session.execute(
        select(
            LiveFindingTally.anchor_id,
            LiveFindingTally.category,
            LiveFindingTally.speaker_role,
            LiveFindingTally.session_id,
        ).where(
            LiveFindingTally.anchor_id.in_(list(anchor_ids)),
            LiveFindingTally.open > 0,
            *([LiveFindingTally.category.in_(list(categories))] if categories is not None else []),
        )
    ).all()
    found: dict[tuple[int, str, str], set[int]] = {}
    for anchor, category, speaker, session_id in rows:
        found.setdefault((anchor, category, speaker.value), set()).add(session_id)
    return found


def count_findings(
    *,
    db_session: Session,
    anchors: Mapping[int, int],
    changes: Mapping[tuple[int, str, FindingSpeaker], int],
) -> None:
    """Add to the open-finding tallies: ``changes`` maps (session, category, speaker) to
    +n (stored) or -n (dismissed); ``anchors`` gives each session's anchor."""
    if not changes:
        return
    dialect = db_session.get_bind().dialect.name
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(LiveFindingTally)
    rows = [
        {
            "session_id": sid,
            "category": category,
            "speaker_role": speaker,
            "anchor_id": anchors[sid],
            "open": n,
        }
        for (sid, category, speaker), n in sorted(changes.items())
    ]
    statement = upsert.on_conflict_do_update(
        index_elements=["session_id", "category", "speaker_role"],
        set_={"open": LiveFindingTally.open + upsert.excluded.open},
    )
    db_session.execute(statement, rows)


def refusal_counts(*, db_session: Session, session_id: int | None) -> list[tuple[str, int]]:
    """Refused events per reason (for one session, or those no session could be told for)."""
    rows = db_session.execute(
        select(LiveRefusal.reason, func.count())
        .where(
            LiveRefusal.session_id == session_id
            if session_id is not None
            else LiveRefusal.session_id.is_(None)
        )
        .group_by(LiveRefusal.reason)
        .order_by(LiveRefusal.reason)
    ).all()
    return [(reason, int(n)) for reason, n in rows]


# --- the room list ------------------------------------------------------------------------

SEVERITY_WEIGHT = {"low": 1, "medium": 3, "high": 10, "critical": 25}
RISK_SCALE = 50  # a raw score of 50 (five high findings) reads as 63 out of 100


def risk_score(severities: Counter[str], suspended: bool) -> float:
    """0-100: 100 x (1 - exp(-raw / 50)), raw = the open findings weighted by severity
    (low 1, medium 3, high 10, critical 25), plus 25 when the room is suspended. Grows
    fast at first and saturates, so a room with a few serious findings already ranks
    high and one with hundreds of minor ones does not drown the rest."""
    raw = sum(SEVERITY_WEIGHT.get(s, 1) * n for s, n in severities.items())
    raw += 25 if suspended else 0
    return round(100 * (1 - math.exp(-raw / RISK_SCALE)), 1)


@dataclass(frozen=True)
class RoomRisk:
    session: LiveSession
    status: str  # live, suspended, ended
    risk_score: float
    open_findings: int


def status_of(live_session: LiveSession) -> str:
    if live_session.suspended_at is not None:
        return "suspended"
    return "ended" if live_session.ended_at is not None else "live"


def rooms(*, db_session: Session, limit: int = 100) -> list[RoomRisk]:
    """Live sessions with their risk score, riskiest first."""
    sessions = get_all(db_session=db_session, limit=limit)
    rows = db_session.execute(
        select(LiveFinding.session_id, LiveFinding.severity, func.count())
        .where(
            LiveFinding.session_id.in_([s.id for s in sessions]),
            LiveFinding.status == FindingStatus.open,
        )
        .group_by(LiveFinding.session_id, LiveFinding.severity)
    ).all()
    severities: dict[int, Counter[str]] = {}
    for session_id, severity, n in rows:
        severities.setdefault(session_id, Counter())[severity] += int(n)
    found = [
        RoomRisk(
            session=s,
            status=status_of(s),
            risk_score=risk_score(severities.get(s.id, Counter()), s.suspended_at is not None),
            open_findings=sum(severities.get(s.id, Counter()).values()),
        )
        for s in sessions
    ]
    return sorted(found, key=lambda room: (-room.risk_score, -room.session.id))


def room_picture(*, db_session: Session, live_session: LiveSession) -> RoomPictureRead:
    """The room's real picture (S11): per-minute counts, conversion, signs, controllers."""
    from liveguard.live import room_picture as picture  # it reads the room through here

    return picture.read(db_session=db_session, live_session=live_session)


def check_room_picture(
    *, db_session: Session, live_session: LiveSession, now: datetime
) -> list[LiveFinding]:
    """Store the room's signs of bought traffic as findings, each once."""
    from liveguard.live import room_picture as picture

    return picture.check(db_session=db_session, live_session=live_session, now=now)


def count_traffic_findings(
    *, db_session: Session, merchant_id: int | None = None, session_id: int | None = None
) -> int:
    """Bought-traffic findings (source ``traffic``) of a shop's rooms or of one room."""
    query = (
        select(func.count())
        .select_from(LiveFinding)
        .join(LiveSession, LiveSession.id == LiveFinding.session_id)
        .where(LiveFinding.source == FindingSource.traffic)
    )
    if merchant_id is not None:
        query = query.where(LiveSession.merchant_id == merchant_id)
    if session_id is not None:
        query = query.where(LiveFinding.session_id == session_id)
    return int(db_session.scalar(query) or 0)


# -- reads for reports: a period's findings in bulk, counted elsewhere (reports/analytics) --


def finding_columns(
    *, db_session: Session, start: datetime, end: datetime, platform_id: int | None = None
) -> dict[str, np.ndarray]:
    """Every finding made in [start, end) as columns, for counting in bulk (reports):
    ``created_at`` (numpy datetime64[us], UTC), ``category``, ``rule``, ``session_id``.

    Read through the connection with the time column's conversion left to numpy: a
    million rows made into aware datetimes one by one cost seconds; numpy parses them at
    once (SQLite hands back its naive-UTC text, PostgreSQL datetimes)."""
    created = type_coerce(LiveFinding.created_at, String)  # the driver's value, unconverted
    query = select(created, LiveFinding.category, LiveFinding.rule, LiveFinding.session_id).where(
        LiveFinding.created_at >= start, LiveFinding.created_at < end
    )
    if platform_id is not None:
        query = query.join(LiveSession, LiveSession.id == LiveFinding.session_id).where(
            LiveSession.platform_id == platform_id
        )
    rows = db_session.connection().execute(query).all()
    if not rows:
        return {
            "created_at": np.array([], dtype="datetime64[us]"),
            "category": np.array([], dtype=object),
            "rule": np.array([], dtype=object),
            "session_id": np.array([], dtype=np.int64),
        }
    moments = [row[0] for row in rows]
    if isinstance(moments[0], datetime):  # PostgreSQL: aware datetimes, made naive UTC
        moments = [m.astimezone(UTC).replace(tzinfo=None) for m in moments]
    return {
        "created_at": np.array(moments, dtype="datetime64[us]"),
        "category": np.array([row[1] for row in rows], dtype=object),
        "rule": np.array([row[2] for row in rows], dtype=object),
        "session_id": np.array([row[3] for row in rows], dtype=np.int64),
    }


def sessions_by_ids(*, db_session: Session, session_ids: Iterable[int]) -> Sequence[LiveSession]:
    """The sessions with these ids, in one query."""
    ids = sorted(set(session_ids))
    if not ids:
        return []
    return db_session.scalars(select(LiveSession).where(LiveSession.id.in_(ids))).all()


def session_parties(
    *, db_session: Session, session_ids: Iterable[int]
) -> dict[int, tuple[int, int]]:
    """(merchant id, anchor id) of each session, read as plain rows, a chunk at a time."""
    ids = sorted(set(session_ids))
    found: dict[int, tuple[int, int]] = {}
    for at in range(0, len(ids), _ID_CHUNK):
        query = select(LiveSession.id, LiveSession.merchant_id, LiveSession.anchor_id).where(
            LiveSession.id.in_(ids[at : at + _ID_CHUNK])
        )
        found.update({pk: (m, a) for pk, m, a in db_session.connection().execute(query)})
    return found


_ID_CHUNK = 10_000  # ids in one IN list: under SQLite's limit on bound parameters


def count_events(
    *, db_session: Session, start: datetime, end: datetime, platform_id: int | None = None
) -> int:
    """How many events the rooms sent in [start, end)."""
    query = select(func.count(LiveEvent.id)).where(
        LiveEvent.occurred_at >= start, LiveEvent.occurred_at < end
    )
    if platform_id is not None:
        query = query.join(LiveSession, LiveSession.id == LiveEvent.session_id).where(
            LiveSession.platform_id == platform_id
        )
    return int(db_session.scalar(query) or 0)


def latest_finding_of(
    *,
    db_session: Session,
    category: str,
    start: datetime,
    end: datetime,
    platform_id: int | None = None,
) -> LiveFinding | None:
    """The period's latest finding of a category that quotes what was said or shown."""
    query = select(LiveFinding).where(
        LiveFinding.category == category,
        LiveFinding.created_at >= start,
        LiveFinding.created_at < end,
        LiveFinding.quote != "",
    )
    if platform_id is not None:
        query = query.join(LiveSession, LiveSession.id == LiveFinding.session_id).where(
            LiveSession.platform_id == platform_id
        )
    return db_session.scalars(query.order_by(LiveFinding.id.desc()).limit(1)).first()


async def bus_status(*, nats_url: str, bus: Bus | None = None, timeout: float = 2.0) -> BusStatus:
    """The NATS event bus now: per partition its stream, subject, durable consumer,
    backlog (not yet handed out), unacknowledged messages and the worker that stored its
    last batch (``live/bus.py``). NATS away is an answer (``reachable=False``), not an
    error: the console shows it."""
    import asyncio

    import nats

    from liveguard.live import bus as event_bus
    from liveguard.live.worker import BUS

    bus = bus or BUS
    try:
        client = await asyncio.wait_for(
            nats.connect(nats_url, connect_timeout=timeout, max_reconnect_attempts=0), timeout
        )
    except (OSError, TimeoutError, nats.errors.Error) as error:
        return BusStatus(
            reachable=False, error=str(error) or type(error).__name__, stream=bus.stream
        )
    try:
        return await asyncio.wait_for(
            event_bus.status(
                client.jetstream(timeout=timeout),
                stream=bus.stream,
                prefix=bus.prefix,
                durable=bus.durable,
                partitions=bus.partitions,
            ),
            timeout * 4,
        )
    except (OSError, TimeoutError, nats.errors.Error) as error:
        return BusStatus(
            reachable=False, error=str(error) or type(error).__name__, stream=bus.stream
        )
    finally:
        await client.close()


async def bus_view(*, nats_url: str | None, bus: Bus | None = None) -> BusView:
    """``bus_status`` with each partition's lag and alerts (``live/bus_view.py``); without
    NATS configured, a view that says so. Holders' times are the workers' wall clocks, so
    the view is judged against the real time, not an injected clock."""
    from liveguard.live import bus_view as views

    status = await bus_status(nats_url=nats_url, bus=bus) if nats_url else None
    return views.view(status, now=datetime.now(UTC))
