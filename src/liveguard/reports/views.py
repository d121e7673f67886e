"""Report routes: ask for one, list them, read one (its content, its PDF), and the
seven harms for a month. Any staff reads (regulators included); compliance asks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from liveguard.bounds import Count, Id
from liveguard.reports import service
from liveguard.reports.schemas import (
    HarmsRead,
    ReportCreate,
    ReportPage,
    ReportRead,
    ReportSummary,
)
from liveguard.web.deps import AnyStaff, Compliance, DbSession, Now, actor

router = APIRouter(prefix="/reports", tags=["reports"])
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReportSummary)
def create_report(
    report_in: ReportCreate, db_session: DbSession, now: Now, principal: Compliance
) -> service.Report:
    """Build the period's report now: stored, its PDF's SHA-256 in the ledger."""
    return service.create(
        db_session=db_session, report_in=report_in, actor=actor(principal), now=now
    )


@router.get("", response_model=ReportPage)
def list_reports(
    db_session: DbSession, _: AnyStaff, limit: Count = 50, offset: Count = 0
) -> ReportPage:
    items = service.get_all(db_session=db_session, limit=min(limit, 200), offset=offset)
    return ReportPage(
        items=[ReportSummary.model_validate(r) for r in items],
        total=service.count(db_session=db_session),
    )


@router.get("/harms", response_model=HarmsRead)
def seven_harms(
    month: Month, db_session: DbSession, _: AnyStaff, platform_id: Id | None = None
) -> HarmsRead:
    """The month's findings and complaints under each of the seven harms (S13)."""
    period = service.month_period(month)
    return service.harms_read(db_session=db_session, period=period, platform_id=platform_id)


@router.get("/{report_id}", response_model=ReportRead)
def read_report(report_id: Id, db_session: DbSession, _: AnyStaff) -> ReportRead:
    report = service.get(db_session=db_session, report_id=report_id)
    return ReportRead.model_validate(
        {**ReportSummary.model_validate(report).model_dump(), "content": report.content}
    )


@router.get("/{report_id}/pdf", response_class=Response)
def report_pdf(report_id: Id, db_session: DbSession, _: AnyStaff) -> Response:
    report = service.get(db_session=db_session, report_id=report_id)
    return Response(
        content=report.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{service.pdf_filename(report)}"'},
    )
