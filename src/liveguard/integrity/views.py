"""Integrity routes: the platform's order files in, the detectors run, findings read."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from liveguard.bounds import Id
from liveguard.errors import TooLarge
from liveguard.integrity import flows, service
from liveguard.integrity.enums import FindingKind
from liveguard.integrity.models import IntegrityFinding
from liveguard.integrity.schemas import DetectReport, DetectRequest, FindingDetail, FindingRead
from liveguard.trade import service as trade_service
from liveguard.trade.schemas import OrderImportReport
from liveguard.web.deps import AnyStaff, CaseWork, Cipher, Compliance, DbSession, Now, Signed, actor
from liveguard.web.limits import MAX_REQUEST_BYTES
from liveguard.web.permissions import check_merchant_access

router = APIRouter(tags=["integrity"])


def current_finding(finding_id: Id, db_session: DbSession, _: AnyStaff) -> IntegrityFinding:
    return service.get(db_session=db_session, finding_id=finding_id)


CurrentFinding = Annotated[IntegrityFinding, Depends(current_finding)]


@router.post("/trade/imports", response_model=OrderImportReport)
async def import_orders(
    request: Request,
    db_session: DbSession,
    cipher: Cipher,
    now: Now,
    principal: CaseWork,
    name: Annotated[str, Query(max_length=200)] = "orders.csv",
    format: Literal["csv", "jsonl", "parquet"] | None = None,
) -> OrderImportReport:
    """The platform's orders as a file in the body (CSV, JSON lines or Parquet; columns in
    docs/integrity.md), streamed to disk and imported; each refused row by its line.
    Larger exports than the request limit go through ``liveguard trade import FILE``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders"
        size = 0
        with path.open("wb") as stream:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_REQUEST_BYTES:
                    raise TooLarge(size, MAX_REQUEST_BYTES, "use liveguard trade import FILE")
                stream.write(chunk)
        return trade_service.import_orders(
            db_session=db_session,
            path=path,
            file_name=name,
            file_format=format or "",
            cipher=cipher,
            now=now,
            actor=actor(principal),
        )


@router.post("/integrity/detect", response_model=DetectReport)
def detect(
    request_in: DetectRequest, db_session: DbSession, now: Now, _: Compliance
) -> DetectReport:
    """Run order brushing and lockstep detection over the stored orders now."""
    return flows.detect(
        db_session=db_session, now=now, since=request_in.since, until=request_in.until
    )


@router.get("/integrity/findings", response_model=list[FindingRead])
def list_findings(
    db_session: DbSession,
    _: AnyStaff,
    merchant_id: Id | None = None,
    kind: FindingKind | None = None,
) -> list[FindingRead]:
    found = service.get_all(db_session=db_session, merchant_id=merchant_id, kind=kind)
    return [FindingRead.model_validate(f) for f in found]


@router.get("/integrity/findings/{finding_id}", response_model=FindingDetail)
def read_finding(finding: CurrentFinding) -> FindingDetail:
    """A finding with its windows, buyers, orders, shops and legal basis."""
    return service.detail(finding)


@router.get("/merchants/{merchant_id}/integrity-findings", response_model=list[FindingRead])
def merchant_findings(
    merchant_id: Id, db_session: DbSession, principal: Signed
) -> list[FindingRead]:
    """A shop's integrity findings, newest first: staff, or the shop itself."""
    check_merchant_access(principal, merchant_id, write=False)
    return service.findings_for_merchant(db_session=db_session, merchant_id=merchant_id)
