"""Console pages for trade integrity: the findings, and one finding with its evidence."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liveguard.bounds import Id
from liveguard.integrity import chart
from liveguard.integrity import service as integrity_service
from liveguard.integrity.rules import rules
from liveguard.parties import service as parties_service
from liveguard.web.deps import DbSession, PageStaff
from liveguard.web.pages import render

router = APIRouter(include_in_schema=False)


SEVERITY_ZH = {"low": "低", "medium": "中", "high": "高", "critical": "严重"}


def _titles() -> dict[str, str]:
    return {kind.value: k.title_zh for kind, k in rules().kinds.items()}


@router.get("/console/integrity", response_class=HTMLResponse)
def findings_page(request: Request, db_session: DbSession, principal: PageStaff) -> Response:
    findings = integrity_service.get_all(db_session=db_session)
    shops = {
        m: parties_service.get_merchant(db_session=db_session, merchant_id=m)
        for m in {f.merchant_id for f in findings}
    }
    return render(
        request,
        "integrity.html",
        principal,
        findings=findings,
        shops=shops,
        titles=_titles(),
        severity_zh=SEVERITY_ZH,
    )


@router.get("/console/integrity/{finding_id}", response_class=HTMLResponse)
def finding_page(
    request: Request, finding_id: Id, db_session: DbSession, principal: PageStaff
) -> Response:
    finding = integrity_service.get(db_session=db_session, finding_id=finding_id)
    detail = integrity_service.detail(finding)
    shops = {
        m: parties_service.get_merchant(db_session=db_session, merchant_id=m)
        for m in {finding.merchant_id, *detail.shops}
    }
    charts = [(w, chart.window_chart(w, detail.orders)) for w in detail.windows[:6]]
    return render(
        request,
        "integrity_finding.html",
        principal,
        finding=detail,
        shops=shops,
        charts=charts,
        titles=_titles(),
        severity_zh=SEVERITY_ZH,
    )
