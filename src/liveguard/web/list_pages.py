"""Staff lists that scale: cases, merchants and anchors, each with search, filters, sort,
keyset pages and a CSV export, in the console and in the API (``/api/lists/...``).

Routes are thin: the rows come from each package's ``service.search``; the filters, the
next-page link and the export from ``web/lists``. Any staff reads and exports (a regulator
too: read-only); consumers and merchants do not. The case summary is stored with personal
numbers masked, so an export holds no personal data in clear (nothing to log as a reveal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from liveguard import paging
from liveguard.bounds import Id
from liveguard.cases import service as cases_service
from liveguard.cases.schemas import CasePage, CaseRead
from liveguard.catalog import service as catalog_service
from liveguard.catalog.schemas import ListingPage, ListingRead
from liveguard.errors import NotFound
from liveguard.integrity import service as integrity_service
from liveguard.integrity.enums import FindingKind as IntegrityKind
from liveguard.integrity.schemas import FindingRead as IntegrityFindingRead
from liveguard.integrity.schemas import IntegrityFindingPage
from liveguard.labels import label
from liveguard.live import service as live_service
from liveguard.live.enums import FindingStatus
from liveguard.live.schemas import FindingPage, FindingRead, SessionPage, SessionRead
from liveguard.parties import reviews
from liveguard.parties import service as parties_service
from liveguard.parties.enums import OwnerKind, PartyStatus
from liveguard.parties.qualifications import catalogue
from liveguard.parties.schemas import AnchorPage, AnchorRead, MerchantPage, MerchantRead
from liveguard.vocab import Severity
from liveguard.web.deps import AnyStaff, DbSession, PageStaff, Today
from liveguard.web.lists import (
    Column,
    NameCache,
    cell_text,
    choices,
    csv_export,
    export_link,
    filter_names,
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
        narrowed=filter_names(db_session, form),
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


# --- listings, rooms and findings: one page shape, declared per list ---------------------------


@dataclass(frozen=True)
class Field:
    """One filter on a generic list page: ``text``, ``select`` or ``day``."""

    kind: str
    name: str
    title: str
    options: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class ListSpec:
    name: str  # the path segment: /console/lists/<name>, /api/lists/<name>
    title: str
    search: Callable[..., paging.Page[Any]]
    columns: Callable[[Session], Sequence[Column]]
    link: Callable[[Any], str]  # the page of one row
    fields: Callable[[Session], Sequence[Field]]


def _id_link(prefix: str) -> Callable[[Any], str]:
    return lambda row: f"{prefix}/{row.id}"


def _date_fields(what: str) -> list[Field]:
    return [
        Field("day", "since", f"{what}日期从 From"),
        Field("day", "until", f"{what}日期至 Until"),
    ]


def _category_options() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in catalogue().categories]


def listing_columns(db_session: Session) -> Sequence[Column]:
    shops = NameCache(
        lambda ids: parties_service.merchant_names(db_session=db_session, merchant_ids=ids)
    )
    names = catalogue()
    return [
        Column("编号", lambda li: li.id),
        Column("商品", lambda li: li.title),
        Column("商家店铺", lambda li: shops(li.merchant_id)),
        Column("类目", lambda li: c.name if (c := names.category(li.category)) else li.category),
        Column("状态", lambda li: label(li.status)),
        Column("价格（元）", lambda li: yuan_cell(li.price_fen)),
        Column("划线价（元）", lambda li: yuan_cell(li.original_price_fen)),
        Column("库存", lambda li: li.stock),
        Column("创建时间（北京时间）", lambda li: li.created_at),
    ]


def room_columns(db_session: Session) -> Sequence[Column]:
    platforms = parties_service.platform_names(db_session=db_session)
    shops = NameCache(
        lambda ids: parties_service.merchant_names(db_session=db_session, merchant_ids=ids)
    )
    anchors = NameCache(
        lambda ids: parties_service.anchor_names(db_session=db_session, anchor_ids=ids)
    )

    def state(room: Any) -> str:
        if room.suspended_at is not None:
            return "已暂停"
        return "已结束" if room.ended_at is not None else "直播中"

    return [
        Column("编号", lambda r: r.id),
        Column("直播间", lambda r: r.title),
        Column("房间号", lambda r: r.room_code),
        Column("平台", lambda r: platforms.get(r.platform_id, "")),
        Column("商家店铺", lambda r: shops(r.merchant_id)),
        Column("主播", lambda r: anchors(r.anchor_id)),
        Column("状态", state),
        Column("开播（北京时间）", lambda r: r.started_at),
        Column("下播（北京时间）", lambda r: r.ended_at),
        Column("峰值观众", lambda r: r.peak_viewers),
    ]


def finding_columns(db_session: Session) -> Sequence[Column]:
    return [
        Column("编号", lambda f: f.id),
        Column("发现时间（北京时间）", lambda f: f.created_at),
        Column("直播场次", lambda f: f.session_id),
        Column("类别", lambda f: label(f.category, "detect.category")),
        Column("严重程度", lambda f: label(f.severity, "vocab.Severity")),
        Column("说明", lambda f: f.message),
        Column("原话", lambda f: f.quote),
        Column("来源", lambda f: label(f.speaker_role)),
        Column("状态", lambda f: label(f.status)),
    ]


def integrity_columns(db_session: Session) -> Sequence[Column]:
    shops = NameCache(
        lambda ids: parties_service.merchant_names(db_session=db_session, merchant_ids=ids)
    )
    return [
        Column("编号", lambda f: f.id),
        Column("发现时间（北京时间）", lambda f: f.found_at),
        Column("类型", lambda f: label(f.kind)),
        Column("严重程度", lambda f: label(f.severity)),
        Column("商家店铺", lambda f: shops(f.merchant_id)),
        Column("说明", lambda f: f.summary),
        Column("首笔订单（北京时间）", lambda f: f.first_at),
        Column("末笔订单（北京时间）", lambda f: f.last_at),
    ]


LIST_SPECS = {
    spec.name: spec
    for spec in (
        ListSpec(
            name="listings",
            title="商品 Listings",
            search=catalog_service.search,
            columns=listing_columns,
            link=_id_link("/listings"),
            fields=lambda db_session: [
                Field("text", "q", "搜索 Search"),
                Field("select", "status", "状态 Status", choices(catalog_service.ListingStatus)),
                Field("select", "category", "类目 Category", _category_options()),
                *_date_fields("创建"),
            ],
        ),
        ListSpec(
            name="rooms",
            title="直播场次 Live rooms",
            search=live_service.search_sessions,
            columns=room_columns,
            link=_id_link("/console/live"),
            fields=lambda db_session: [
                Field("text", "q", "搜索 Search"),
                Field(
                    "select",
                    "status",
                    "状态 Status",
                    [("live", "直播中"), ("ended", "已结束"), ("suspended", "已暂停")],
                ),
                Field("select", "platform_id", "平台 Platform", platform_choices(db_session)),
                *_date_fields("开播"),
            ],
        ),
        ListSpec(
            name="findings",
            title="直播发现 Live findings",
            search=live_service.search_findings,
            columns=finding_columns,
            link=lambda f: f"/console/live/{f.session_id}",
            fields=lambda db_session: [
                Field("text", "q", "搜索 Search"),
                Field("select", "severity", "严重程度 Severity", choices(Severity)),
                Field("select", "status", "状态 Status", choices(FindingStatus)),
                Field("select", "platform_id", "平台 Platform", platform_choices(db_session)),
                *_date_fields("发现"),
            ],
        ),
        ListSpec(
            name="integrity",
            title="交易诚信发现 Trade-integrity findings",
            search=integrity_service.search,
            columns=integrity_columns,
            link=_id_link("/console/integrity"),
            fields=lambda db_session: [
                Field("text", "q", "搜索 Search"),
                Field("select", "kind", "类型 Kind", choices(IntegrityKind)),
                Field("select", "severity", "严重程度 Severity", choices(Severity)),
                *_date_fields("发现"),
            ],
        ),
    )
}


def _spec(name: str) -> ListSpec:
    spec = LIST_SPECS.get(name)
    if spec is None:
        raise NotFound("list", name)
    return spec


ListName = Annotated[str, Path(max_length=20, description="listings, rooms, findings or integrity")]


@router.get("/console/lists/{name}", response_class=HTMLResponse)
def generic_list_page(
    request: Request, name: ListName, db_session: DbSession, principal: PageStaff
) -> Response:
    spec = _spec(name)
    path = f"/console/lists/{name}"
    return _list_page(
        request,
        principal,
        db_session,
        template="list.html",
        path=path,
        search=spec.search,
        spec=spec,
        fields=spec.fields(db_session),
        columns=spec.columns(db_session),
        cell=cell_text,
    )


@router.get("/console/lists/{name}/export.csv")
def generic_list_export(
    request: Request, name: ListName, db_session: DbSession, _: PageStaff
) -> Response:
    spec = _spec(name)
    return _export_or_back(
        request,
        db_session,
        path=f"/console/lists/{name}",
        name=name,
        search=spec.search,
        columns=spec.columns,
    )


def _api_export(
    request: Request, spec: ListSpec, filters: paging.ListQuery, db_session: Session
) -> StreamingResponse:
    spec.search(db_session=db_session, filters=filters, after=filters.after, limit=1)
    return csv_export(
        request, name=spec.name, search=spec.search, filters=filters, columns=spec.columns
    )


@api_router.get("/listings", response_model=ListingPage)
def api_listings(filters: Filters, db_session: DbSession, _: AnyStaff) -> ListingPage:
    """Listings, filtered and sorted, a page at a time: pass ``next_cursor`` as ``after``."""
    page = catalog_service.search(
        db_session=db_session, filters=filters, after=filters.after, limit=filters.limit
    )
    return ListingPage(
        items=[ListingRead.model_validate(li) for li in page.items], next_cursor=page.next_cursor
    )


@api_router.get("/listings/export.csv", response_class=StreamingResponse)
def api_listings_export(
    request: Request, filters: Filters, db_session: DbSession, _: AnyStaff
) -> StreamingResponse:
    """The filtered listings as CSV (UTF-8 with BOM, Chinese headers, yuan)."""
    return _api_export(request, LIST_SPECS["listings"], filters, db_session)


@api_router.get("/rooms", response_model=SessionPage)
def api_rooms(filters: Filters, db_session: DbSession, _: AnyStaff) -> SessionPage:
    """Live rooms (sessions), filtered and sorted, a page at a time."""
    page = live_service.search_sessions(
        db_session=db_session, filters=filters, after=filters.after, limit=filters.limit
    )
    return SessionPage(
        items=[SessionRead.model_validate(r) for r in page.items], next_cursor=page.next_cursor
    )


@api_router.get("/rooms/export.csv", response_class=StreamingResponse)
def api_rooms_export(
    request: Request, filters: Filters, db_session: DbSession, _: AnyStaff
) -> StreamingResponse:
    """The filtered rooms as CSV (UTF-8 with BOM, Chinese headers, Beijing time)."""
    return _api_export(request, LIST_SPECS["rooms"], filters, db_session)


@api_router.get("/findings", response_model=FindingPage)
def api_findings(filters: Filters, db_session: DbSession, _: AnyStaff) -> FindingPage:
    """Live findings, filtered and sorted, a page at a time."""
    page = live_service.search_findings(
        db_session=db_session, filters=filters, after=filters.after, limit=filters.limit
    )
    return FindingPage(
        items=[FindingRead.model_validate(f) for f in page.items], next_cursor=page.next_cursor
    )


@api_router.get("/findings/export.csv", response_class=StreamingResponse)
def api_findings_export(
    request: Request, filters: Filters, db_session: DbSession, _: AnyStaff
) -> StreamingResponse:
    """The filtered findings as CSV (UTF-8 with BOM, Chinese headers, Beijing time)."""
    return _api_export(request, LIST_SPECS["findings"], filters, db_session)


@api_router.get("/integrity", response_model=IntegrityFindingPage)
def api_integrity(filters: Filters, db_session: DbSession, _: AnyStaff) -> IntegrityFindingPage:
    """Trade-integrity findings (brushing, lockstep), filtered and sorted, a page at a time."""
    page = integrity_service.search(
        db_session=db_session, filters=filters, after=filters.after, limit=filters.limit
    )
    return IntegrityFindingPage(
        items=[IntegrityFindingRead.model_validate(f) for f in page.items],
        next_cursor=page.next_cursor,
    )


@api_router.get("/integrity/export.csv", response_class=StreamingResponse)
def api_integrity_export(
    request: Request, filters: Filters, db_session: DbSession, _: AnyStaff
) -> StreamingResponse:
    """The filtered trade-integrity findings as CSV (UTF-8 with BOM, Chinese headers)."""
    return _api_export(request, LIST_SPECS["integrity"], filters, db_session)
