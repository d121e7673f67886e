"""What every staff list shares on the web: reading its filters from a console form (with
the mistakes in Chinese by the field, never a 500), the next-page link, and the CSV export.

The rows themselves come from each package's ``service.search``; this module only turns
a query string into a ``paging.ListQuery`` and rows into a file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from liveguard import paging
from liveguard.cases import service as cases_service
from liveguard.cases.enums import CaseOrigin, CaseState
from liveguard.credit import service as credit_service
from liveguard.credit.enums import SubjectKind
from liveguard.db import transaction
from liveguard.errors import LiveGuardError
from liveguard.labels import label
from liveguard.parties import service as parties_service
from liveguard.web.pages import china_time

# Excel opens a UTF-8 CSV as Chinese only when it starts with the byte-order mark.
BOM = "\ufeff"

# What each filter is called on the page, for the messages by the field.
FIELD_NAMES = {
    "q": "搜索",
    "status": "状态",
    "category": "类目",
    "severity": "严重程度",
    "kind": "类型",
    "platform_id": "平台",
    "merchant_id": "商家编号",
    "anchor_id": "主播编号",
    "session_id": "直播场次编号",
    "since": "起始日期",
    "until": "截止日期",
    "sort": "排序",
    "after": "翻页",
    "limit": "每页条数",
}
DATE_FIELDS = {"since", "until"}
ID_FIELDS = {"platform_id", "merchant_id", "anchor_id", "session_id"}


def _message(field: str, error: Any) -> str:
    kind = str(error.get("type", ""))
    if field in DATE_FIELDS:
        return "请按 2026-12-07 的格式填写日期（2000-01-01 至 2100-12-31 之间）"
    if field in ID_FIELDS:
        return "请填写一个正整数编号"
    if field == "limit":
        return f"每页条数应在 1 到 {paging.MAX_PAGE} 之间"
    if field == "sort":
        return "请选择「最新在前」或「最早在前」"
    if kind == "string_too_long":
        return f"太长了：最多 {error.get('ctx', {}).get('max_length', '')} 个字"
    return "填写有误，请检查后重试"


def query_of(request: Request) -> tuple[paging.ListQuery, dict[str, str]]:
    """The list's filters from the page's query string, and what is wrong, by field, in
    Chinese. With a mistake, the list is shown unfiltered-by-nothing: no rows, the form
    as typed."""
    raw = {k: v for k, v in request.query_params.items() if v.strip() != ""}
    try:
        return paging.ListQuery.model_validate(raw), {}
    except ValidationError as error:
        problems: dict[str, str] = {}
        for item in error.errors():
            loc = item.get("loc") or ()
            field = str(loc[0]) if loc else "until"  # the one whole-form rule: the date range
            problems.setdefault(
                field,
                _message(field, item) if loc else "截止日期早于起始日期：请对调两个日期",
            )
        return paging.ListQuery(), problems


def run_search(
    search: Callable[..., paging.Page[Any]],
    db_session: Any,
    filters: paging.ListQuery,
    problems: dict[str, str],
    **extra: Any,
) -> paging.Page[Any]:
    """The page the filters ask for; a value the list refuses becomes a message by its field."""
    if problems:
        return paging.Page([], None)
    try:
        return search(
            db_session=db_session,
            filters=filters,
            after=filters.after,
            limit=filters.limit,
            **extra,
        )
    except LiveGuardError as error:
        for problem in error.problems or []:
            problems[problem.field] = problem.message
        if not error.problems:
            problems["q"] = error.detail
        return paging.Page([], None)


def next_link(path: str, filters: paging.ListQuery, page: paging.Page[Any]) -> str | None:
    """The 下一页 link: the same filters, after this page's last row."""
    if page.next_cursor is None:
        return None
    query = {**filters.filters(), "after": page.next_cursor}
    if filters.limit != paging.DEFAULT_PAGE:
        query["limit"] = str(filters.limit)
    return f"{path}?{urlencode(query)}"


def export_link(path: str, filters: paging.ListQuery) -> str:
    query = filters.filters()
    return f"{path}?{urlencode(query)}" if query else path


# --- CSV ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an export: its Chinese header and how to read a row's cell."""

    header: str
    cell: Callable[[Any], object]


def cell_text(value: object) -> str:
    """A cell as a person reads it: Beijing time, dates as YYYY-MM-DD, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return china_time(value, "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def yuan_cell(fen: int | None) -> str:
    """Money in yuan, without the sign or thousands commas: a number Excel can add up."""
    return "" if fen is None else format(Decimal(fen) / 100, ".2f")


def _line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def csv_lines(columns: Sequence[Column], rows: Iterator[Any]) -> Iterator[str]:
    yield BOM + _line([c.header for c in columns])
    for row in rows:
        yield _line([cell_text(c.cell(row)) for c in columns])


def csv_export(
    request: Request,
    *,
    name: str,
    search: Callable[..., paging.Page[Any]],
    filters: paging.ListQuery,
    columns: Callable[[Any], Sequence[Column]],
    **extra: Any,
) -> StreamingResponse:
    """The whole filtered list as CSV, streamed a chunk of rows at a time. It reads in its
    own transaction: the request's has committed by the time the body is sent.
    ``columns`` makes the columns from that session (names looked up as rows come)."""
    factory = request.app.state.session_factory

    def body() -> Iterator[str]:
        with transaction(factory) as db_session:
            rows = paging.every_row(
                lambda **kw: search(**kw, **extra), db_session=db_session, filters=filters
            )
            yield from csv_lines(columns(db_session), rows)

    stamp = china_time(request.app.state.clock.now(), "%Y%m%d-%H%M")  # as on the page
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="liveguard-{name}-{stamp}.csv"'},
    )


class NameCache:
    """Names looked up once per export, not once per row."""

    def __init__(self, lookup: Callable[[list[int]], dict[int, str]]) -> None:
        self.lookup = lookup
        self.known: dict[int, str] = {}

    def __call__(self, key: int | None) -> str:
        if key is None:
            return ""
        if key not in self.known:
            self.known.update(self.lookup([key]))
        return self.known.get(key, f"#{key}")


# --- what a filter form offers --------------------------------------------------------------


def choices(enum: Any) -> list[tuple[str, str]]:
    """An enum's codes with their Chinese words, for a select."""
    return [(m.value, label(m)) for m in enum]


def platform_choices(db_session: Any) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in parties_service.platform_names(db_session=db_session).items()]


def case_list_context(db_session: Any) -> dict[str, Any]:
    """What the cases page's filter form offers."""
    return {
        "states": choices(CaseState),
        "origins": choices(CaseOrigin),
        "platforms": platform_choices(db_session),
    }


def party_names(db_session: Any, rows: Sequence[Any]) -> dict[str, dict[int, str]]:
    """The shops and anchors a page of rows names, in two queries."""
    return {
        "platforms": parties_service.platform_names(db_session=db_session),
        "shops": parties_service.merchant_names(
            db_session=db_session,
            merchant_ids=[r.merchant_id for r in rows if getattr(r, "merchant_id", None)],
        ),
        "anchors": parties_service.anchor_names(
            db_session=db_session,
            anchor_ids=[r.anchor_id for r in rows if getattr(r, "anchor_id", None)],
        ),
    }


# --- profiles: what a merchant's or an anchor's page shows of other packages -----------------

PROFILE_ROWS = 10  # each section shows the latest few and links into its filtered list


def profile_sections(db_session: Any, *, kind: str, subject_id: int, today: date) -> dict[str, Any]:
    """The latest cases and the credit standing (score, list in force, proceedings) of a
    merchant (``kind="merchant"``) or an anchor, each with the link to its whole list."""
    key = f"{kind}_id"
    filters = paging.ListQuery.model_validate({key: subject_id, "limit": PROFILE_ROWS})
    cases = cases_service.search(db_session=db_session, filters=filters, limit=PROFILE_ROWS)
    subject = credit_service.Subject(SubjectKind(kind), subject_id)
    return {
        "recent_cases": cases.items,
        "more_cases": cases.next_cursor is not None,
        "cases_href": f"/console/cases?{urlencode({key: subject_id})}",
        "credit_score": credit_service.latest(db_session=db_session, subject=subject),
        "credit_listed": credit_service.in_force(
            db_session=db_session, subject=subject, today=today
        ),
        "proceedings": credit_service.get_all(
            db_session=db_session, subject=subject, limit=PROFILE_ROWS
        ),
    }


def filter_names(db_session: Any, form: dict[str, str]) -> dict[str, str]:
    """The shop's and the anchor's names a list is narrowed to, for the words above it."""
    found: dict[str, str] = {}
    merchant, anchor = form.get("merchant_id", ""), form.get("anchor_id", "")
    if merchant.isdigit() and len(merchant) < 10:
        names = parties_service.merchant_names(db_session=db_session, merchant_ids=[int(merchant)])
        found["merchant"] = names.get(int(merchant), f"#{merchant}")
    if anchor.isdigit() and len(anchor) < 10:
        names = parties_service.anchor_names(db_session=db_session, anchor_ids=[int(anchor)])
        found["anchor"] = names.get(int(anchor), f"#{anchor}")
    return found
