"""The sources added for brushing, lockstep rings, bought traffic, S7 benefit findings and
refused marketing sends, each on fixed records its capability's service hands back (the
services replaced by stand-ins: what each source makes of them is what is tested)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from liveguard.credit import sources
from liveguard.credit.enums import SubjectKind
from liveguard.credit.sources import SOURCES, Subject
from liveguard.integrity import service as integrity_service
from liveguard.integrity.enums import FindingKind
from liveguard.integrity.schemas import FindingRead
from liveguard.live import service as live_service
from liveguard.live.enums import FindingSource
from liveguard.privacy import service as privacy_service
from liveguard.privacy.enums import Channel, Refusal
from liveguard.privacy.schemas import RefusedSend
from liveguard.trade import service as trade_service
from liveguard.vocab import Severity

NOW = datetime(2026, 6, 12, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
SHOP = Subject(SubjectKind.merchant, 5)
ANCHOR = Subject(SubjectKind.anchor, 9)
NO_SESSION: Any = None  # the stand-ins never touch the database


def _integrity(pk: int, kind: FindingKind, severity: Severity) -> FindingRead:
    return FindingRead(
        id=pk,
        kind=kind,
        merchant_id=SHOP.id,
        severity=severity,
        score=0.9,
        first_at=NOW - timedelta(days=3),
        last_at=NOW - timedelta(days=2),
        summary=f"finding {pk}",
        group_key=f"g{pk}",
        found_at=NOW - timedelta(days=1),
        ledger_seq=100 + pk,
    )


@pytest.fixture
def integrity_findings(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    asked: list[dict[str, Any]] = []

    def fake(**kwargs: Any) -> list[FindingRead]:
        asked.append(kwargs)
        return [
            _integrity(1, FindingKind.brushing, Severity.high),
            _integrity(2, FindingKind.lockstep, Severity.medium),
            _integrity(3, FindingKind.brushing, Severity.low),
        ]

    monkeypatch.setattr(integrity_service, "findings_for_merchant", fake)
    return asked


def test_brushing_counts_the_shops_brushing_findings_by_severity_with_links(
    integrity_findings: list[dict[str, Any]],
) -> None:
    found = SOURCES["brushing"](NO_SESSION, SHOP, "brushing", NOW)
    assert [(r.ref, r.points, r.link, r.ledger_seq) for r in found] == [
        ("integrity_finding:1", 6, "/console/integrity/1", 101),
        ("integrity_finding:3", 1, "/console/integrity/3", 103),
    ]
    assert found[0].summary_zh == "finding 1"
    # it asks only for the factor's window (1095 days and a day of slack)
    assert integrity_findings[0]["merchant_id"] == SHOP.id
    assert integrity_findings[0]["since"] == NOW - timedelta(days=1096)


def test_lockstep_rings_count_only_ring_findings(
    integrity_findings: list[dict[str, Any]],
) -> None:
    found = SOURCES["lockstep_rings"](NO_SESSION, SHOP, "lockstep_rings", NOW)
    assert [(r.ref, r.points) for r in found] == [("integrity_finding:2", 3)]


def test_integrity_findings_count_against_shops_only(
    integrity_findings: list[dict[str, Any]],
) -> None:
    assert SOURCES["brushing"](NO_SESSION, ANCHOR, "brushing", NOW) == []
    assert integrity_findings == []


@pytest.fixture
def room_findings(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    asked: list[dict[str, Any]] = []

    def fake(**kwargs: Any) -> list[live_service.FindingAgainst]:
        asked.append(kwargs)
        kinds = set(kwargs["sources"])
        rows = []
        if FindingSource.traffic in kinds:
            rows.append(live_service.FindingAgainst(7, 3, "夜场", "high", "人气虚高", NOW, 70))
        if FindingSource.text in kinds:
            rows.append(live_service.FindingAgainst(8, 3, "夜场", "medium", "绝对化用语", NOW, 80))
        return rows

    monkeypatch.setattr(live_service, "findings_against", fake)
    return asked


@pytest.mark.parametrize("subject", [SHOP, ANCHOR, Subject(SubjectKind.platform, 2)])
def test_bought_traffic_reads_traffic_findings_of_the_sellers_side(
    room_findings: list[dict[str, Any]], subject: Subject
) -> None:
    [record] = SOURCES["bought_traffic"](NO_SESSION, subject, "bought_traffic", NOW)
    assert (record.ref, record.points, record.link, record.ledger_seq) == (
        "live_finding:7",
        6,
        "/console/live/3/picture",
        70,
    )
    assert "购买流量" in record.summary_zh
    assert set(room_findings[0]["speakers"]) == set(sources.SELLER_SIDE)


def test_what_was_said_no_longer_counts_bought_traffic_twice(
    room_findings: list[dict[str, Any]],
) -> None:
    found = SOURCES["live_findings"](NO_SESSION, SHOP, "live_findings", NOW)
    assert [r.ref for r in found] == ["live_finding:8"]
    assert FindingSource.traffic not in set(room_findings[0]["sources"])


def test_benefit_findings_in_the_window_count_with_their_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def finding(pk: int, days_ago: int, case_id: int | None) -> SimpleNamespace:
        return SimpleNamespace(
            id=pk,
            order_id=40 + pk,
            finding="benefit.payout_missing",
            found_at=NOW - timedelta(days=days_ago),
            case_id=case_id,
            ledger_seq=200 + pk,
        )

    monkeypatch.setattr(
        trade_service,
        "benefit_findings_of",
        lambda **kw: [finding(1, 2, 11), finding(2, 10, None), finding(3, 2000, 13)],
    )
    found = SOURCES["benefit_findings"](NO_SESSION, SHOP, "benefit_findings", NOW)
    assert [(r.ref, r.link, r.ledger_seq) for r in found] == [
        ("benefit_finding:1", "/console/cases/11", 201),
        ("benefit_finding:2", None, 202),
    ]
    title = trade_service.benefit_finding_titles()["benefit.payout_missing"]
    assert found[0].summary_zh == f"订单 41：{title}"
    assert SOURCES["benefit_findings"](NO_SESSION, ANCHOR, "benefit_findings", NOW) == []


def test_refused_sends_make_one_record_per_day_and_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(pk: int, at: datetime, reason: Refusal) -> RefusedSend:
        return RefusedSend(
            id=pk, requested_at=at, channel=Channel.sms, reason=reason, reason_zh=reason.value
        )

    day = NOW - timedelta(hours=2)  # 10:00 in Beijing on 12 June
    late = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 01:00 in Beijing on 11 June
    asked: list[dict[str, Any]] = []

    def fake(**kwargs: Any) -> list[RefusedSend]:
        asked.append(kwargs)
        return [
            refused(1, late, Refusal.quiet_hours),
            refused(2, day, Refusal.no_consent),
            refused(3, day, Refusal.no_consent),
            refused(4, day, Refusal.no_consent),
            refused(5, day, Refusal.cap_reached),
        ]

    monkeypatch.setattr(privacy_service, "refused_sends", fake)
    found = SOURCES["refused_sends"](NO_SESSION, SHOP, "refused_sends", NOW)
    assert [(r.ref, r.points, r.occurred_at) for r in found] == [
        ("refused_sends:2026-06-11:quiet_hours:1", 1.0, late),
        ("refused_sends:2026-06-12:no_consent:2", 1.0, day),
        ("refused_sends:2026-06-12:cap_reached:5", 1.0, day),
    ]
    assert found[1].summary_zh.startswith("2026年06月12日 营销信息被拦截 3 条")
    assert found[0].summary_zh.startswith("2026年06月11日")  # Beijing's day, not UTC's
    assert asked[0]["since"] == NOW - timedelta(days=731)
    assert SOURCES["refused_sends"](NO_SESSION, ANCHOR, "refused_sends", NOW) == []
