"""A recompute that counts a room's findings in the database (``credit_service.compute``)
gives exactly the score, factors, stored records and criteria of one that reads every
record (``compute_records``, the path it replaced), on both databases: over the window's
edge, China's day boundary (16:00 UTC), findings at the same instant, dismissed findings,
viewers' chat, bought traffic, more findings than the history shows, and from a cutoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from liveguard.clock import CHINA
from liveguard.credit import rules as credit_rules
from liveguard.credit import service as credit_service
from liveguard.credit.enums import ListKind, SubjectKind
from liveguard.credit.sources import Subject
from liveguard.db import table_of
from liveguard.live import service as live_service
from tests.integration.trade.conftest import Sale

NOW = datetime(2026, 5, 1, 20, 20, tzinfo=CHINA)
SEVERITIES = ["low", "medium", "high", "critical"]
SPEAKERS = ["anchor", "assistant", "room", "viewer", "system"]
SOURCES = ["text", "text", "screen", "qr", "data", "traffic"]


def _moments(rng: random.Random, count: int) -> list[datetime]:
    """Random times over two and a half years, and some on the edges that matter."""
    edges = [
        NOW,
        NOW + timedelta(hours=1),  # later than now (a clock skew): age 0
        *(NOW - timedelta(days=d) for d in (729, 730, 731, 732)),  # the window's edge
    ]
    for days in (3, 200, 730):  # either side of midnight in China
        midnight = datetime.combine((NOW - timedelta(days=days)).date(), datetime.min.time())
        midnight = midnight.replace(tzinfo=CHINA).astimezone(UTC)
        edges += [midnight - timedelta(microseconds=1), midnight, midnight]  # a tie too
    spread = [NOW - timedelta(minutes=rng.randrange(900 * 24 * 60)) for _ in range(count)]
    return edges + spread + spread[:30]  # findings at the same instant


def _findings(db_session: Session, session_id: int, seed: int) -> None:
    rng = random.Random(seed)
    events, findings = [], []
    for n, at in enumerate(_moments(rng, 400), start=1_000_000):
        events.append({"id": n, "session_id": session_id, "seq": n, "kind": "utterance"})
        events[-1]["occurred_at"] = at
        findings.append(
            {
                "session_id": session_id,
                "event_pk": n,
                "speaker_role": rng.choice(SPEAKERS),
                "source": rng.choice(SOURCES),
                "rule": "test.rule",
                "category": "test",
                "severity": rng.choice(SEVERITIES),
                "message": f"违规 {n}",
                "start": 0,
                "end": 1,
                "legal_basis": [],
                "evidence": {},
                "status": "dismissed" if rng.random() < 0.1 else "open",
                "created_at": at,
                "ledger_seq": n,
            }
        )
    db_session.execute(insert(table_of(live_service.LiveEvent)), events)
    db_session.execute(insert(table_of(live_service.LiveFinding)), findings)
    db_session.flush()


def _same(db_session: Session, subject: Subject, after: datetime | None = None) -> float:
    tallied = credit_service.compute(db_session=db_session, subject=subject, now=NOW, after=after)
    records = credit_service.compute_records(
        db_session=db_session, subject=subject, now=NOW, after=after
    )
    assert tallied.score == records.score
    for mine, reference in zip(tallied.factors, records.factors, strict=True):
        assert sorted(mine.tallies, key=str) == sorted(reference.tallies, key=str)  # unrounded
    for mine, reference in zip(
        credit_service.factors_json(tallied), credit_service.factors_json(records), strict=True
    ):
        assert {k: v for k, v in mine.items() if k != "records"} == {
            k: v for k, v in reference.items() if k != "records"
        }
        assert [r["ref"] for r in mine["records"]] == [r["ref"] for r in reference["records"]]
        assert mine["records"] == reference["records"]
    today = credit_service.china_day(NOW)
    for list_kind in ListKind:
        met = [
            (m.criterion, m.reason_zh)
            for m in credit_rules.criteria_met(list_kind, subject.kind, tallied, today)
        ]
        assert met == [
            (m.criterion, m.reason_zh)
            for m in credit_rules.criteria_met(list_kind, subject.kind, records, today)
        ]
    return tallied.score


@pytest.mark.parametrize("seed", [1, 2])
def test_database_counts_give_the_scores_and_records_of_every_record(
    engine, sale: Sale, seed: int
) -> None:
    with Session(engine) as db_session:
        _findings(db_session, sale.session_id, seed)
        parties = [
            Subject(SubjectKind.merchant, sale.shop_id),
            Subject(SubjectKind.anchor, sale.anchor_id),
            Subject(SubjectKind.platform, sale.platform_id),
        ]
        scores = [_same(db_session, subject) for subject in parties]
        assert min(scores) < 100.0  # the findings counted
        live = credit_service.compute(db_session=db_session, subject=parties[0], now=NOW)
        factor = next(f for f in live.factors if f.id == "live_findings")
        assert factor.record_count > credit_rules.rules().records_shown  # more than shown
        for days in (1, 3, 200):
            _same(db_session, parties[0], after=NOW - timedelta(days=days, hours=5))
        db_session.rollback()
