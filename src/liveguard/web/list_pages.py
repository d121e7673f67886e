"""Staff lists that scale: cases, merchants and anchors, each with search, filters, sort,
keyset pages and a CSV export, in the console and in the API (``/api/lists/...``).

Routes are thin: the rows come from each package's ``service.search``; the filters, the
next-page link and the export from ``web/lists``. Any staff reads and exports (a regulator
too: read-only); consumers and merchants do not. The case summary is stored with personal
numbers masked, so an export holds no personal data in clear (nothing to log as a reveal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from liveguard import paging
from liveguard.bounds import Id
from liveguard.cases import service as cases_service
from liveguard.cases.schemas import CasePage, CaseRead
from liveguard.labels import label
from liveguard.live import service as live_service
from liveguard.parties import reviews
from liveguard.parties import service as parties_service
from liveguard.parties.enums import OwnerKind, PartyStatus
from liveguard.parties.qualifications import catalogue
from liveguard.parties.schemas import AnchorPage, AnchorRead, MerchantPage, MerchantRead
from liveguard.web.deps import AnyStaff, DbSession, PageStaff, Today
from liveguard.web.lists import (
    Column,
    NameCache,
    choices,
    csv_export,
    export_link,
    next_link,
    platform_choices,
    profile_sections,
    query_of,
    run_search,
    yuan_cell,
)
from liveguard.web.pages import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/lists", tags=["lists"])

Filters = Annotated[paging.ListQuery, Query()]


def _list_page(
    request: Request,
    principal: Any,
    db_session: Session,
    *,
    template: str,
    path: str,
    search: Any,
    **context: Any,
) -> Response:
    filters, problems = query_of(request)
    page = run_search(search, db_session, filters, problems)
    form = {k: v for k, v in request.query_params.items() if k not in ("after", "limit")}
    return render(
        request,
        template,
        principal,
        rows=page.items,
        form=form,
        problems=problems,
        next_href=next_link(path, filters, page),
        export_href=export_link(f"{path}/export.csv", filters),
        first_page=filters.after is None,
        first_href=export_link(path, filters),
        platforms=platform_choices(db_session),
        platform_names=parties_service.platform_names(db_session=db_session),
        status_code=422 if problems else 200,
        **context,
    )


def _export_or_back(
    request: Request,
    db_session: Session,
    *,
    path: str,
    name: str,
    search: Any,
    columns: Any,
) -> Response:
    """The export of what the list shows; with a mistake in the filters, back to the list
    (which says what is wrong, by the field)."""
    filters, problems = query_of(request)
    run_search(search, db_session, filters.model_copy(update={"limit": 1}), problems)
    if problems:
        query = request.url.query
        return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)
    return csv_export(request, name=name, search=search, filters=filters, columns=columns)


# --- cases ----------------------------------------------------------------------------------


def case_columns(db_session: Session) -> Sequence[Column]:
    platforms = parties_service.platform_names(db_session=db_session)
    shops = NameCache(
        lambda ids: parties_service.merchant_names(db_session=db_session, merchant_ids=ids)
    )
    anchors = NameCache(
        lambda ids: parties_service.anchor_names(db_session=db_session, anchor_ids=ids)
    )
    return [
        Column("编号", lambda c: c.id),
        Column("提交时间（北京时间）", lambda c: c.filed_at),
        Column("状态", lambda c: label(c.state)),
        Column("类型", lambda c: label(c.kind, "cases.kind")),
        Column("来源", lambda c: label(c.origin)),
        Column("平台", lambda c: platforms.get(c.platform_id, "") if c.platform_id else ""),
        Column("商家店铺", lambda c: shops(c.merchant_id)),
        Column("主播", lambda c: anchors(c.anchor_id)),
        Column("投诉内容（个人信息已遮蔽）", lambda c: c.summary),
        Column("支付方式", lambda c: label(c.payment_channel)),
        Column("支付金额（元）", lambda c: yuan_cell(c.price_fen)),
        Column("应付金额（元）", lambda c: yuan_cell((c.resolution or {}).get("total_fen"))),
        Column("下一步", lambda c: c.due_step),
        Column("期限", lambda c: c.due_on),
        Column("结案时间（北京时间）", lambda c: c.closed_at),
    ]


@router.get("/console/cases/export.csv")
def cases_export(request: Request, db_session: DbSession, _: PageStaff) -> Response:
    return _export_or_back(
        request,
        db_session,
        path="/console/cases",
        name="cases",
        search=cases_service.search,
        columns=case_columns,
    )


@api_router.get("/cases", response_model=CasePage)
def api_cases(filters: Filters, db_session: DbSession, _: AnyStaff) -> CasePage:
    """Cases, filtered and sorted, a page at a time: pass ``next_cursor`` as ``after``."""
    page = cases_service.search(
        db_session=db_session, filters=filters, after=filters.after, limit=filters.limit
    )
    return CasePage(
        items=[CaseRead.model_validate(c) for c in page.items], next_cursor=page.next_cursor
    )


@api_router.get("/cases/export.csv", response_class=StreamingResponse)
def api_cases_export(
    request: Request, filters: Filters, db_session: DbSession, _: AnyStaff
) -> StreamingResponse:
    """The filtered cases as CSV (UTF-8 with BOM, Chinese headers, Beijing time, yuan)."""
    cases_service.search(db_session=db_session, filters=filters, after=filters.after, limit=1)
    return csv_export(
        request, name="cases", search=cases_service.search, filters=filters, columns=case_columns
    )


# --- merchants ------------------------------------------------------------------------------


def merchant_columns(db_session: Session) -> Sequence[Column]:
    platforms = parties_service.platform_names(db_session=db_session)
    names = catalogue()
    return [
        Column("编号", lambda m: m.id),
        Column("店铺名称", lambda m: m.shop_name),
        Column("公司名称", lambda m: m.name),
        Column("统一社会信用代码", lambda m: m.credit_code),
        Column("平台", lambda m: platforms.get(m.platform_id, "")),
        Column("状态", lambda m: label(m.status)),
        Column(
            "经营类目",
            lambda m: "、".join(
                (c.name if (c := names.category(code)) else code) for code in m.categories
            ),
        ),
        Column("保证金余额（元）", lambda m: yuan_cell(m.deposit_balance_fen)),
        Column("营业执照有效期至", lambda m: m.licence_valid_to or "长期"),
        Column("登记时间（北京时间）", lambda m: m.created_at),
    ]


@router.get("/console/merchants", response_class=HTMLResponse)
def merchants_page(request: Request, db_session: DbSession, principal: PageStaff) -> Response:
    return _list_page(
        request,
        principal,
        db_session,
        template="merchants.html",
        path="/console/merchants",
        search=parties_service.search_merchants,
        statuses=choices(PartyStatus),
        categories=[(c.code, c.name) for c in catalogue().categories],
    )


@router.get("/console/merchants/export.csv")
def merchants_export(request: Request, db_session: DbSession, _: PageStaff) -> Response:
    return _export_or_back(
        request,
        db_session,
        path="/console/merchants",
        name="merchants",
        search=parties_service.search_merchants,
        columns=merchant_columns,
    )


@api_router.get("/merchants", response_model=MerchantPage)
def api_merchants(filters: Filters, db_session: DbSession, _: AnyStaff) -> MerchantPage:
    """Merchants, filtered and sorted, a page at a time: pass ``next_cursor`` as ``after``."""
    page = parties_service.search_merchants(
        db_session=db_session, filters=filters, after=filters.after, limit=filters.limit
    )
    return MerchantPage(
        items=[MerchantRead.model_validate(m) for m in page.items], next_cursor=page.next_cursor
    )


@api_router.get("/merchants/export.csv", response_class=StreamingResponse)
def api_merchants_export(
    request: Request, filters: Filters, db_session: DbSession, _: AnyStaff
) -> StreamingResponse:
    """The filtered merchants as CSV (UTF-8 with BOM, Chinese headers)."""
    parties_service.search_merchants(db_session=db_session, filters=filters, limit=1)
    return csv_export(
        request,
        name="merchants",
        search=parties_service.search_merchants,
        filters=filters,
        columns=merchant_columns,
    )


# --- anchors --------------------------------------------------------------------------------


def anchor_columns(db_session: Session) -> Sequence[Column]:
    platforms = parties_service.platform_names(db_session=db_session)
    return [
        Column("编号", lambda a: a.id),
        Column("昵称", lambda a: a.nickname),
        Column("平台", lambda a: platforms.get(a.platform_id, "")),
        Column("状态", lambda a: label(a.status)),
        Column("实名（已遮蔽）", lambda a: a.real_name_masked),
        Column("实名核验时间（北京时间）", lambda a: a.verified_at),
        Column("登记时间（北京时间）", lambda a: a.created_at),
    ]


@router.get("/console/anchors", response_class=HTMLResponse)
def anchors_page(request: Request, db_session: DbSession, principal: PageStaff) -> Response:
    return _list_page(
        request,
        principal,
        db_session,
        template="anchors.html",
        path="/console/anchors",
        search=parties_service.search_anchors,
        statuses=choices(PartyStatus),
    )


@router.get("/console/anchors/export.csv")
def anchors_export(request: Request, db_session: DbSession, _: PageStaff) -> Response:
    return _export_or_back(
        request,
        db_session,
        path="/console/anchors",
        name="anchors",
        search=parties_service.search_anchors,
        columns=anchor_columns,
    )


@api_router.get("/anchors", response_model=AnchorPage)
def api_anchors(filters: Filters, db_session: DbSession, _: AnyStaff) -> AnchorPage:
    """Anchors, filtered and sorted, a page at a time: pass ``next_cursor`` as ``after``."""
    page = parties_service.search_anchors(
        db_session=db_session, filters=filters, after=filters.after, limit=filters.limit
    )
    return AnchorPage(
        items=[AnchorRead.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )


@api_router.get("/anchors/export.csv", response_class=StreamingResponse)
def api_anchors_export(
    request: Request, filters: Filters, db_session: DbSession, _: AnyStaff
) -> StreamingResponse:
    """The filtered anchors as CSV (UTF-8 with BOM, Chinese headers, real names masked)."""
    parties_service.search_anchors(db_session=db_session, filters=filters, limit=1)
    return csv_export(
        request,
        name="anchors",
        search=parties_service.search_anchors,
        filters=filters,
        columns=anchor_columns,
    )


@router.get("/console/anchors/{anchor_id}", response_class=HTMLResponse)
def anchor_page(
    request: Request, anchor_id: Id, db_session: DbSession, principal: PageStaff, today: Today
) -> Response:
    """An anchor in one place: identity (masked), documents, the shops it sells for, its
    rooms, cases and credit, each linking into its whole list."""
    anchor = parties_service.get_anchor(db_session=db_session, anchor_id=anchor_id)
    relations = parties_service.get_relations(db_session=db_session, anchor_id=anchor.id)
    shops = parties_service.merchant_names(
        db_session=db_session, merchant_ids=[r.merchant_id for r in relations if r.merchant_id]
    )
    return render(
        request,
        "anchor.html",
        principal,
        anchor=anchor,
        platform_names=parties_service.platform_names(db_session=db_session),
        documents=reviews.get_documents(
            db_session=db_session, owner_kind=OwnerKind.anchor, owner_id=anchor.id
        ),
        relations=relations,
        shops=shops,
        rooms=live_service.get_all(db_session=db_session, anchor_id=anchor.id, limit=20),
        **profile_sections(db_session, kind="anchor", subject_id=anchor.id, today=today),
    )
