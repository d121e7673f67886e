"""Integrity findings: run the detectors over the orders trade holds, record what they find
(each finding also a ledger item), and read findings for the console and for credit.

The detectors run in DuckDB over the orders as columns (``trade_service.order_columns``);
services flush, the request or the command commits once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard import paging
from liveguard.clock import CHINA
from liveguard.errors import NotFound
from liveguard.evidence import service as evidence_service
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.integrity import brushing, lockstep
from liveguard.integrity.enums import FindingKind
from liveguard.integrity.models import IntegrityFinding
from liveguard.integrity.rules import Rules, rules
from liveguard.integrity.schemas import (
    Citation,
    DetectReport,
    FindingDetail,
    FindingOrder,
    FindingRead,
    FindingWindow,
)
from liveguard.trade import service as trade_service
from liveguard.vocab import Severity

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def moment(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=int(us))


def lockstep_params(found: Rules) -> lockstep.Params:
    step = found.lockstep
    return lockstep.Params(
        window_us=step.window_minutes * 60_000_000,
        crowd=step.crowd,
        pair_shops=step.pair_shops,
        min_members=step.min_members,
        min_shops=step.min_shops,
        min_score=step.min_score,
    )


def connect() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    return connection


def load_columns(connection: duckdb.DuckDBPyConnection, columns: dict[str, list[Any]]) -> int:
    """The orders as DuckDB's ``b_orders`` (order_no, shop, buyer, us); how many."""
    paid = np.array(
        [(p - EPOCH) // timedelta(microseconds=1) for p in columns["paid_at"]], dtype=np.int64
    )
    frame = {  # noqa: F841 - DuckDB reads the local dict of arrays by its name
        "order_no": np.array(columns["order_no"], dtype=object),
        "shop": np.array(columns["shop"], dtype=np.int64),
        "buyer": np.array(columns["buyer"], dtype=object),
        "us": paid,
    }
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE b_orders AS "
        "SELECT order_no::VARCHAR AS order_no, shop, buyer::VARCHAR AS buyer, us FROM frame"
    )
    return len(paid)


# --- running the detectors ----------------------------------------------------------------


def detect(
    *,
    db_session: Session,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
) -> DetectReport:
    """Run both detectors over the orders paid in [since, until); record new findings."""
    found = rules()
    connection = connect()
    try:
        count = load_columns(
            connection, trade_service.order_columns(db_session=db_session, since=since, until=until)
        )
        shops = brushing.detect(
            connection,
            threshold=found.brushing.concentration,
            window_us=found.brushing.window_minutes * 60_000_000,
        )
        groups = lockstep.detect(connection, lockstep_params(found))
    finally:
        connection.close()
    new: list[IntegrityFinding] = []
    brushing_shops = 0
    for shop in shops:
        inside = sum(i.orders for i in shop.intervals)
        if inside < found.brushing.min_orders_for_finding:
            continue
        brushing_shops += 1
        new.extend(_record(db_session, _brushing_finding(found, shop, inside), now))
    for group in groups:
        for finding in _lockstep_findings(found, group):
            new.extend(_record(db_session, finding, now))
    db_session.flush()
    return DetectReport(
        orders=count,
        brushing_shops=brushing_shops,
        lockstep_groups=len(groups),
        findings=[FindingRead.model_validate(f) for f in new],
    )


def _citations(found: Rules, first: datetime) -> list[dict[str, str]]:
    return [
        {"citation": b.citation, "quote": b.quote}
        for b in found.basis_for(first.astimezone(CHINA).date())
    ]


def _brushing_finding(found: Rules, shop: brushing.ShopResult, inside: int) -> dict[str, Any]:
    first, last = moment(shop.intervals[0].start_us), moment(shop.intervals[-1].end_us)
    peak = max(i.concentration for i in shop.intervals)
    buyers = sorted({str(b) for b in shop.suspicious})
    return {
        "kind": FindingKind.brushing,
        "merchant_id": int(str(shop.shop)),
        "severity": found.brushing_severity(inside),
        "score": round(peak, 3),
        "first_at": first,
        "last_at": last,
        "summary": found.kinds[FindingKind.brushing].summary_zh.format(
            count=len(shop.intervals),
            buyers=len(buyers),
            orders=len(shop.orders),
            peak=f"{peak:.1f}",
        ),
        "group_key": f"brushing:{shop.shop}",
        "evidence": {
            "windows": [
                {
                    "start": moment(i.start_us).isoformat(),
                    "end": moment(i.end_us).isoformat(),
                    "orders": i.orders,
                    "buyers": i.buyers,
                    "concentration": round(i.concentration, 3),
                }
                for i in shop.intervals
            ],
            "buyers": buyers,
            "share": round(shop.share, 4),
            "orders": [
                {"order_no": o, "buyer": str(b), "at": moment(at).isoformat()}
                for o, b, at in shop.orders
            ],
            "shops": [int(str(shop.shop))],
            "legal_basis": _citations(found, first),
        },
    }


def _lockstep_findings(found: Rules, group: lockstep.Group) -> list[dict[str, Any]]:
    first, last = moment(group.orders[0][3]), moment(group.orders[-1][3])
    key = hashlib.sha256("|".join(sorted(str(m) for m in group.members)).encode()).hexdigest()[:32]
    shops = sorted(int(str(s)) for s in group.shops)
    windows = [
        {
            "shop": int(str(w.shop)),
            "start": moment(w.start_us).isoformat(),
            "end": moment(w.end_us).isoformat(),
            "orders": sum(1 for o in group.orders if o[1] == w.shop),
            "buyers": w.buyers,
        }
        for w in sorted(group.windows, key=lambda w: w.start_us)
    ]
    evidence = {
        "windows": windows,
        "buyers": [str(m) for m in group.members],
        "orders": [
            {"order_no": o, "shop": int(str(s)), "buyer": str(b), "at": moment(at).isoformat()}
            for o, s, b, at in group.orders
        ],
        "shops": shops,
        "legal_basis": _citations(found, first),
    }
    summary = found.kinds[FindingKind.lockstep].summary_zh.format(
        members=len(group.members), shops=len(shops), score=f"{group.score:.2f}"
    )
    return [
        {
            "kind": FindingKind.lockstep,
            "merchant_id": shop,
            "severity": found.lockstep_severity(group.score),
            "score": group.score,
            "first_at": first,
            "last_at": last,
            "summary": summary,
            "group_key": f"lockstep:{key}",
            "evidence": evidence,
        }
        for shop in shops
    ]


def _record(db_session: Session, values: dict[str, Any], now: datetime) -> list[IntegrityFinding]:
    """Store a finding and append it to the ledger, unless the same one is already there.

    The ledger item carries the order numbers, windows and counts, and the SHA-256 of the
    whole evidence (with the buyers' accounts, which stay out of the leaf), so the stored
    evidence can be shown unaltered."""
    evidence_bytes = orjson.dumps(values["evidence"], option=orjson.OPT_SORT_KEYS)
    order_nos = sorted(o["order_no"] for o in values["evidence"]["orders"])
    fingerprint = hashlib.sha256(
        f"{values['kind']}|{values['merchant_id']}|{'|'.join(order_nos)}".encode()
    ).hexdigest()
    if db_session.scalar(
        select(IntegrityFinding.id).where(IntegrityFinding.fingerprint == fingerprint)
    ):
        return []
    finding = IntegrityFinding(**values, fingerprint=fingerprint, found_at=now, ledger_seq=0)
    db_session.add(finding)
    db_session.flush()
    [appended] = evidence_service.append(
        db_session=db_session,
        records=[
            RecordIn(
                kind=RecordKind.finding,
                occurred_at=values["first_at"],
                who={"merchant_id": values["merchant_id"]},
                data={
                    "event": "integrity_finding",
                    "finding_id": finding.id,
                    "kind": finding.kind.value,
                    "severity": finding.severity.value,
                    "score": f"{finding.score:.4f}",  # the ledger's JSON holds no floats
                    "group_key": finding.group_key,
                    "order_nos": order_nos,
                    "windows": [
                        {k: f"{v:.3f}" if isinstance(v, float) else v for k, v in w.items()}
                        for w in values["evidence"]["windows"]
                    ],
                    "buyers": len(values["evidence"]["buyers"]),
                    "shops": values["evidence"]["shops"],
                    "legal_basis": [c["citation"] for c in values["evidence"]["legal_basis"]],
                    "evidence_sha256": hashlib.sha256(evidence_bytes).hexdigest(),
                },
            )
        ],
        now=now,
    )
    finding.ledger_seq = appended.seq
    return [finding]


# --- reading findings -----------------------------------------------------------------------


def search(
    *,
    db_session: Session,
    filters: paging.ListQuery,
    after: str | None = None,
    limit: int = paging.DEFAULT_PAGE,
) -> paging.Page[IntegrityFinding]:
    """A page of trade-integrity findings: text in the summary (or an id), kind, severity,
    shop, Beijing dates found; newest or oldest first."""
    query = select(IntegrityFinding)
    kind = paging.one_of("kind", filters.kind, {k.value: k for k in FindingKind}, "finding_kind")
    severity = paging.one_of(
        "severity", filters.severity, {s.value: s for s in Severity}, "severity"
    )
    if kind is not None:
        query = query.where(IntegrityFinding.kind == kind)
    if severity is not None:
        query = query.where(IntegrityFinding.severity == severity)
    if filters.merchant_id is not None:
        query = query.where(IntegrityFinding.merchant_id == filters.merchant_id)
    query = paging.matching(query, filters.q, [IntegrityFinding.summary], IntegrityFinding.id)
    query = paging.in_days(query, IntegrityFinding.found_at, filters)
    return paging.keyset_page(
        db_session,
        query,
        order=IntegrityFinding.found_at,
        ident=IntegrityFinding.id,
        sort=filters.sort,
        after=after,
        limit=limit,
    )


def get(*, db_session: Session, finding_id: int) -> IntegrityFinding:
    finding = db_session.get(IntegrityFinding, finding_id)
    if finding is None:
        raise NotFound("integrity finding", finding_id)
    return finding


def get_all(
    *,
    db_session: Session,
    merchant_id: int | None = None,
    kind: FindingKind | None = None,
    since: datetime | None = None,
    limit: int | None = 200,
) -> Sequence[IntegrityFinding]:
    """Findings, newest conduct first, narrowed by shop, kind and when found."""
    query = select(IntegrityFinding).order_by(
        IntegrityFinding.first_at.desc(), IntegrityFinding.id.desc()
    )
    if merchant_id is not None:
        query = query.where(IntegrityFinding.merchant_id == merchant_id)
    if kind is not None:
        query = query.where(IntegrityFinding.kind == kind)
    if since is not None:
        query = query.where(IntegrityFinding.found_at >= since)
    return db_session.scalars(query.limit(limit)).all()


def findings_for_merchant(
    *, db_session: Session, merchant_id: int, since: datetime | None = None
) -> list[FindingRead]:
    """A shop's integrity findings (severity, kind, time, ledger seq): what credit counts."""
    return [
        FindingRead.model_validate(f)
        for f in get_all(db_session=db_session, merchant_id=merchant_id, since=since, limit=None)
    ]


def count_for_merchant(*, db_session: Session, merchant_id: int) -> int:
    return (
        db_session.scalar(
            select(func.count(IntegrityFinding.id)).where(
                IntegrityFinding.merchant_id == merchant_id
            )
        )
        or 0
    )


def detail(finding: IntegrityFinding) -> FindingDetail:
    """A finding with its evidence: windows, buyers, orders, shops and legal basis."""
    evidence = finding.evidence
    return FindingDetail(
        **FindingRead.model_validate(finding).model_dump(),
        windows=[FindingWindow(**w) for w in evidence.get("windows", [])],
        buyers=evidence.get("buyers", []),
        orders=[FindingOrder(**o) for o in evidence.get("orders", [])],
        shops=evidence.get("shops", []),
        legal_basis=[Citation(**c) for c in evidence.get("legal_basis", [])],
    )
