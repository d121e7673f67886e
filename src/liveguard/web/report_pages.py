"""Console pages for reports: the list of past reports with a form to make one for any
period, a report read as a web page (the same SVG charts as its PDF), its PDF, and the
seven harms for a platform's month (S13). Any staff reads, regulators included;
compliance makes a report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from liveguard.bounds import Id
from liveguard.clock import CHINA
from liveguard.errors import LiveGuardError
from liveguard.parties import service as parties_service
from liveguard.reports import render as report_render
from liveguard.reports import service as reports_service
from liveguard.reports.schemas import ReportCreate
from liveguard.web.deps import DbSession, FormStaff, Now, PageStaff, actor
from liveguard.web.pages import back, render
from liveguard.web.permissions import COMPLIANCE_WORK
from liveguard.web.refusal_words import pydantic_said, said

router = APIRouter(include_in_schema=False)


@router.get("/console/reports", response_class=HTMLResponse)
def reports_page(
    request: Request, db_session: DbSession, principal: PageStaff, now: Now, error: str = ""
) -> Response:
    today = now.astimezone(CHINA).date()
    return render(
        request,
        "reports.html",
        principal,
        reports=reports_service.get_all(db_session=db_session),
        platforms=parties_service.get_all_platforms(db_session=db_session),
        can_make=principal.role in COMPLIANCE_WORK,
        default_start=today.replace(day=1).isoformat(),
        default_end=today.isoformat(),
        month=f"{today:%Y-%m}",
        error=error,
    )


@router.post("/console/reports")
def make_report(
    db_session: DbSession,
    now: Now,
    principal: FormStaff,
    start: Annotated[str, Form()],
    end: Annotated[str, Form()],
    platform_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> RedirectResponse:
    try:
        report_in = ReportCreate.model_validate(
            {
                "start": start,
                "end": end,
                "platform_id": int(platform_id) if platform_id.strip() else None,
                "title": title.strip() or None,
            }
        )
        report = reports_service.create(
            db_session=db_session,
            report_in=report_in,
            actor=actor(principal),
            now=now,
        )
    except (LiveGuardError, ValidationError, ValueError) as error:
        return back("/console/reports", error=_first_message(error))
    return RedirectResponse(f"/console/reports/{report.id}", status_code=303)


FIELDS_ZH = {"start": "起始日期", "end": "截止日期", "platform_id": "平台", "title": "标题"}


def _first_message(error: LiveGuardError | ValueError) -> str:
    """The form's first problem in Chinese, named by the field a person sees."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = FIELDS_ZH.get(str(first["loc"][0]) if first["loc"] else "", "统计期间")
        return f"{field}：{pydantic_said(first)}"
    return said(error)


@router.get("/console/reports/harms", response_class=HTMLResponse)
def harms_page(
    request: Request,
    db_session: DbSession,
    principal: PageStaff,
    now: Now,
    month: str = "",
    platform_id: Id | None = None,
) -> Response:
    month = month or f"{now.astimezone(CHINA):%Y-%m}"
    error = ""
    try:
        period = reports_service.month_period(month)
        read = reports_service.harms_read(
            db_session=db_session, period=period, platform_id=platform_id
        )
    except LiveGuardError as problem:
        error, read = said(problem), None
    return render(
        request,
        "report_harms.html",
        principal,
        month=month,
        platform_id=platform_id,
        platforms=parties_service.get_all_platforms(db_session=db_session),
        read=read,
        error=error,
    )


@router.get("/console/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request, report_id: Id, db_session: DbSession, principal: PageStaff
) -> Response:
    report = reports_service.get(db_session=db_session, report_id=report_id)
    content = reports_service.content_of(report)
    return render(
        request,
        "report.html",
        principal,
        report=report,
        content=content,
        charts=report_render.charts_for(content),
        sections={s.key: s.title for s in report_render.SECTIONS},
    )


@router.get("/console/reports/{report_id}/pdf")
def report_pdf(report_id: Id, db_session: DbSession, principal: PageStaff) -> Response:
    report = reports_service.get(db_session=db_session, report_id=report_id)
    return Response(
        content=report.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{reports_service.pdf_filename(report)}"'
        },
    )
