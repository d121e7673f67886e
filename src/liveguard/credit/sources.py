"""Where a score's records come from: one function per source, each reading another
capability through its service only, registered by name in ``SOURCES``.

A factor in ``data/credit.yaml`` names its source. Adding a source (brushing rings,
bought traffic, refused marketing sends, consumer ratings) is one function here, taking
the session, the party and the factor's id and returning ``rules.Record``s, plus one
factor entry in the data file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

from sqlalchemy.orm import Session

from liveguard.cases import service as cases_service
from liveguard.cases.enums import CaseEventKind, CaseState
from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.credit.enums import SubjectKind
from liveguard.credit.rules import Record, Tallied, Tally, refs_digest, rules
from liveguard.integrity import service as integrity_service
from liveguard.integrity.enums import FindingKind as IntegrityKind
from liveguard.liability import service as liability_service
from liveguard.live import service as live_service
from liveguard.live.enums import FindingSource, FindingSpeaker
from liveguard.parties import service as parties_service
from liveguard.parties.enums import RelationKind
from liveguard.privacy import service as privacy_service
from liveguard.privacy.schemas import RefusedSend
from liveguard.trade import service as trade_service


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    id: int

    @property
    def ref(self) -> str:
        return f"{self.kind.value}:{self.id}"


Source = Callable[[Session, Subject, str, datetime], list[Record]]
SOURCES: dict[str, Source] = {}


def source(name: str) -> Callable[[Source], Source]:
    def register(function: Source) -> Source:
        SOURCES[name] = function
        return function

    return register


# What the seller's side said or showed (not viewers' chat, not the platform's own
# notices): substantiated once stored and not dismissed by staff.
SELLER_SIDE = (FindingSpeaker.anchor, FindingSpeaker.assistant, FindingSpeaker.room)


def _mcn_anchors(db_session: Session, mcn_id: int) -> list[int]:
    return [
        r.anchor_id
        for r in parties_service.get_relations(db_session=db_session, mcn_id=mcn_id)
        if r.kind is RelationKind.signed_with_mcn and r.anchor_id is not None
    ]


# What was said or shown in the room; bought traffic (the numbers) is its own factor.
SAID_OR_SHOWN = tuple(s for s in FindingSource if s is not FindingSource.traffic)


def _since(factor: str, now: datetime) -> datetime:
    return now - timedelta(days=rules().factor(factor).window_days + 1)


def _against(
    db_session: Session,
    subject: Subject,
    since: datetime,
    sources: Sequence[FindingSource],
    after: datetime | None = None,
) -> live_service.Against:
    against = partial(
        live_service.Against, speakers=SELLER_SIDE, since=since, sources=sources, after=after
    )
    if subject.kind is SubjectKind.merchant:
        return against(merchant_id=subject.id)
    if subject.kind is SubjectKind.anchor:
        return against(anchor_ids=[subject.id])
    if subject.kind is SubjectKind.mcn:
        return against(anchor_ids=_mcn_anchors(db_session, subject.id))
    return against(platform_id=subject.id)


@dataclass(frozen=True)
class RoomWords:
    """How a room's findings read as records of a factor."""

    sources: tuple[FindingSource, ...]
    what: str
    page: str


ROOM_FACTORS = {
    "live_findings": RoomWords(SAID_OR_SHOWN, what="", page=""),
    "bought_traffic": RoomWords((FindingSource.traffic,), what="疑似购买流量", page="/picture"),
}


def _room_record(factor: str, words: RoomWords, finding: live_service.FindingAgainst) -> Record:
    return Record(
        factor=factor,
        ref=f"live_finding:{finding.id}",
        occurred_at=finding.created_at,
        points=rules().points(finding.severity),
        summary_zh=f"直播间「{finding.session_title}」{words.what}：{finding.message}",
        link=f"/console/live/{finding.session_id}{words.page}",
        ledger_seq=finding.ledger_seq,
    )


def _room_records(
    db_session: Session, subject: Subject, factor: str, now: datetime, words: RoomWords
) -> list[Record]:
    against = _against(db_session, subject, _since(factor, now), words.sources)
    found = live_service.findings_against(
        db_session=db_session,
        speakers=against.speakers,
        since=against.since,
        merchant_id=against.merchant_id,
        anchor_ids=against.anchor_ids,
        platform_id=against.platform_id,
        sources=against.sources,
    )
    return [_room_record(factor, words, finding) for finding in found]


def _room_tallied(
    db_session: Session, subject: Subject, factor: str, now: datetime, after: datetime | None
) -> Tallied:
    """A room factor's records counted by the database: per severity and day, the ids for
    the digest, and only the newest ``records_shown`` read whole, so a recompute costs
    the same for a party with ten findings or ten thousand (docs/benchmarks.md)."""
    words = ROOM_FACTORS[rules().factor(factor).source]
    today = now.astimezone(CHINA).date()
    first_day = today - timedelta(days=rules().factor(factor).window_days)
    since = datetime.combine(first_day, time(0), CHINA)  # exactly the window's records
    against = _against(db_session, subject, since, words.sources, after)
    rows, digest = live_service.tally_against(
        db_session=db_session, against=against, ref_prefix="live_finding:", digest=refs_digest
    )
    newest = live_service.newest_against(
        db_session=db_session, against=against, limit=rules().records_shown
    )
    return Tallied(
        [Tally(rules().points(severity), day, count) for severity, day, count in rows],
        sum(count for _, _, count in rows),
        digest,
        [_room_record(factor, words, finding) for finding in newest],
    )


TallySource = Callable[[Session, Subject, str, datetime, datetime | None], Tallied]
# Sources whose records the database counts (``Tallied``), by source name: the ones that
# grow with a party's activity. The others are few and tallied from their records.
TALLIES: dict[str, TallySource] = {
    "live_findings": _room_tallied,
    "bought_traffic": _room_tallied,
}


@source("live_findings")
def live_findings(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    return _room_records(db_session, subject, factor, now, ROOM_FACTORS["live_findings"])


@source("bought_traffic")
def bought_traffic(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    """Signs of bought traffic in a room (S11): against its shop, its anchor and the
    anchor's MCN (who controlled the numbers), and the platform that hosts it."""
    return _room_records(db_session, subject, factor, now, ROOM_FACTORS["bought_traffic"])


def _cases(
    db_session: Session, subject: Subject
) -> list[tuple[cases_service.Case, list[cases_service.CaseEvent]]]:
    if subject.kind is SubjectKind.merchant:
        return cases_service.record_of_party(db_session=db_session, merchant_id=subject.id)
    if subject.kind is SubjectKind.anchor:
        return cases_service.record_of_party(db_session=db_session, anchor_id=subject.id)
    if subject.kind is SubjectKind.platform:
        return cases_service.record_of_party(db_session=db_session, platform_id=subject.id)
    return []


@source("upheld_complaints")
def upheld_complaints(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    roles = set(rules().upheld_roles.get(subject.kind, []))
    found = []
    for case, events in _cases(db_session, subject):
        decisions = [e for e in events if e.kind is CaseEventKind.decision]
        if not decisions:
            continue
        decision = decisions[-1]
        liable = set(decision.data.get("liable") or [])
        if not liable & roles:
            continue
        found.append(
            Record(
                factor=factor,
                ref=f"case:{case.id}",
                occurred_at=decision.at,
                points=1.0,
                summary_zh=f"投诉 #{case.id} 经处理认定成立",
                link=f"/console/cases/{case.id}",
                ledger_seq=decision.ledger_seq,
            )
        )
    return found


@source("slow_answers")
def slow_answers(db_session: Session, subject: Subject, factor: str, now: datetime) -> list[Record]:
    """Cases sent to the party that it answered after the answer period, or not at all
    by now."""
    days = rules().answer_working_days
    found = []
    for case, events in _cases(db_session, subject):
        reached = next((e for e in events if e.to_state is CaseState.with_merchant), None)
        if reached is None:
            continue
        due, _ = liability_service.add_working_days(
            start=reached.at.astimezone(CHINA).date(), working_days=days
        )
        answer = next(
            (e for e in events if e.kind is CaseEventKind.answer and e.at >= reached.at), None
        )
        answered_on = answer.at.astimezone(CHINA).date() if answer else None
        late_on = now.astimezone(CHINA).date() if answer is None else answered_on
        if late_on is None or late_on <= due:
            continue
        found.append(
            Record(
                factor=factor,
                ref=f"case_answer:{case.id}",
                occurred_at=answer.at if answer else now,
                points=1.0,
                summary_zh=f"投诉 #{case.id} 应于 {due:%Y年%m月%d日} 前答复，"
                + (f"{answered_on:%m月%d日}才答复" if answered_on else "至今未答复"),
                link=f"/console/cases/{case.id}",
                ledger_seq=answer.ledger_seq if answer else reached.ledger_seq,
            )
        )
    return found


@source("delivery_breaches")
def delivery_breaches(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    if subject.kind is not SubjectKind.merchant:
        return []
    return [
        Record(
            factor=factor,
            ref=f"breach:{breach.id}",
            occurred_at=breach.found_at,
            points=1.0,
            summary_zh=f"订单 {breach.order_id}：承诺 {breach.due_on:%Y年%m月%d日} 前"
            + ("发货" if breach.kind.value == "ship_by" else "送达")
            + f"，{breach.breached_on:%m月%d日}仍未做到",
            link=f"/console/cases/{breach.case_id}" if breach.case_id else None,
            ledger_seq=breach.ledger_seq,
        )
        for breach in trade_service.breaches_of(db_session=db_session, merchant_id=subject.id)
    ]


@source("failed_samples")
def failed_samples(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    if subject.kind is not SubjectKind.merchant:
        return []
    return [
        Record(
            factor=factor,
            ref=f"sample:{sample.sample_id}",
            occurred_at=sample.recorded_at,
            points=1.0,
            summary_zh=f"商品 {sample.listing_id} 抽检不合格（{sample.standard}）",
            link=f"/listings/{sample.listing_id}",
            ledger_seq=sample.ledger_seq,
        )
        for sample in catalog_service.failed_samples(db_session=db_session, merchant_id=subject.id)
    ]


INTEGRITY_WORDS = {
    IntegrityKind.brushing: "刷单（订单集中）",
    IntegrityKind.lockstep: "团伙同步下单",
}


def _integrity(
    db_session: Session, subject: Subject, factor: str, now: datetime, kind: IntegrityKind
) -> list[Record]:
    if subject.kind is not SubjectKind.merchant:
        return []
    found = integrity_service.findings_for_merchant(
        db_session=db_session, merchant_id=subject.id, since=_since(factor, now)
    )
    return [
        Record(
            factor=factor,
            ref=f"integrity_finding:{finding.id}",
            occurred_at=finding.found_at,
            points=rules().points(finding.severity.value),
            summary_zh=finding.summary,  # the integrity rules' own words
            link=f"/console/integrity/{finding.id}",
            ledger_seq=finding.ledger_seq,
        )
        for finding in found
        if finding.kind is kind
    ]


@source("brushing")
def brushing(db_session: Session, subject: Subject, factor: str, now: datetime) -> list[Record]:
    """Order brushing found in the shop's orders (S5)."""
    return _integrity(db_session, subject, factor, now, IntegrityKind.brushing)


@source("lockstep_rings")
def lockstep_rings(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    """The shop among those a buyer ring paid in lockstep (S5)."""
    return _integrity(db_session, subject, factor, now, IntegrityKind.lockstep)


@source("benefit_findings")
def benefit_findings(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    """Red envelopes not paid as promised and price protection owed or refused (S7)."""
    if subject.kind is not SubjectKind.merchant:
        return []
    titles = trade_service.benefit_finding_titles()
    since = _since(factor, now)
    return [
        Record(
            factor=factor,
            ref=f"benefit_finding:{finding.id}",
            occurred_at=finding.found_at,
            points=1.0,
            summary_zh=f"订单 {finding.order_id}：{titles.get(finding.finding, finding.finding)}",
            link=f"/console/cases/{finding.case_id}" if finding.case_id else None,
            ledger_seq=finding.ledger_seq,
        )
        for finding in trade_service.benefit_findings_of(
            db_session=db_session, merchant_id=subject.id
        )
        if finding.found_at >= since
    ]


@source("refused_sends")
def refused_sends(
    db_session: Session, subject: Subject, factor: str, now: datetime
) -> list[Record]:
    """Marketing sends the gate refused (S6), one record per Beijing day and reason: one
    bulk send to a thousand buyers who never agreed is one act, not a thousand."""
    if subject.kind is not SubjectKind.merchant:
        return []
    by_day: dict[tuple[str, str], list[RefusedSend]] = {}
    for send in privacy_service.refused_sends(
        db_session=db_session, merchant_id=subject.id, since=_since(factor, now)
    ):
        day = send.requested_at.astimezone(CHINA).date().isoformat()
        by_day.setdefault((day, send.reason.value), []).append(send)
    return [
        Record(
            factor=factor,
            ref=f"refused_sends:{day}:{reason}:{sends[0].id}",
            occurred_at=sends[0].requested_at,
            points=1.0,
            summary_zh=f"{sends[0].requested_at.astimezone(CHINA):%Y年%m月%d日} 营销信息被拦截 "
            f"{len(sends)} 条：{sends[0].reason_zh}",
            link="/console/privacy",
            ledger_seq=None,
        )
        for (day, reason), sends in by_day.items()
    ]
