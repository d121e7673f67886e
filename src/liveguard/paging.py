"""Keyset pagination and list filters, shared by every list staff search (cases, merchants,
anchors, listings, rooms, findings, evidence items).

A page ends with an opaque cursor, the last row's sort value and id: the next page starts
strictly after it, so rows inserted while someone pages never duplicate or hide a row
already in the list, and page 1,000 costs what page 1 does (an offset would re-read every
row before it). Dates are Beijing dates, as people read them on the page: "from 12-01 to
12-03" means 12-01 00:00 to 12-04 00:00 China time.

No web code: each package's ``service.search`` applies its own filters and hands the query
to ``keyset_page``; the console and the API both parse ``ListQuery``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Select, literal, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from liveguard import labels
from liveguard.bounds import INT32_MAX, Day, Id
from liveguard.clock import CHINA
from liveguard.errors import InvalidInput

T = TypeVar("T")

# A page holds at most this many rows: enough for a screen, small enough to answer fast.
MAX_PAGE = 200
DEFAULT_PAGE = 50
# An export walks the whole filtered list in chunks of this size, never all rows at once.
EXPORT_CHUNK = 500
# The longest search text and cursor we accept: longer is never a person's query.
MAX_QUERY_CHARS = 100
MAX_CURSOR_CHARS = 300

PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE)]
Sort = Literal["newest", "oldest"]


class ListQuery(BaseModel):
    """What a list can be filtered and sorted by; each list uses the fields it has and
    refuses a value that is not one of its own (a status of another kind)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="text to search for")
    status: str | None = Field(None, max_length=40, description="a status code of this list")
    category: str | None = Field(None, max_length=60, description="a category code")
    severity: str | None = Field(None, max_length=20, description="low, medium, high, critical")
    kind: str | None = Field(None, max_length=40, description="a kind code of this list")
    platform_id: Id | None = None
    merchant_id: Id | None = None
    anchor_id: Id | None = None
    session_id: Id | None = None
    since: Day | None = Field(None, description="first Beijing date, inclusive")
    until: Day | None = Field(None, description="last Beijing date, inclusive")
    sort: Sort = "newest"
    after: str | None = Field(
        None, max_length=MAX_CURSOR_CHARS, description="the next_cursor of the previous page"
    )
    limit: PageLimit = DEFAULT_PAGE

    @field_validator("q", "status", "category", "severity", "kind", "after")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value and any(ord(c) < 32 for c in value):  # NUL: PostgreSQL refuses the text
            raise ValueError("control characters are not allowed: type the words only")
        return value

    @model_validator(mode="after")
    def _range_in_order(self) -> ListQuery:
        if self.since and self.until and self.since > self.until:
            raise ValueError("the first date is after the last date: swap them")
        return self

    def filters(self) -> dict[str, str]:
        """The filters as query parameters (no cursor): for the next-page and export links."""
        shown = self.model_dump(exclude={"after", "limit"}, exclude_none=True)
        if shown.get("sort") == "newest":
            del shown["sort"]
        return {k: str(v) for k, v in shown.items() if v != ""}


class KeysetPage(BaseModel, Generic[T]):
    """One page of a list: its rows, and the cursor of the next page (none at the end)."""

    items: list[T]
    next_cursor: str | None = Field(None, description="pass as `after` for the next page")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    if isinstance(value, datetime):
        packed: Any = {"t": value.isoformat()}
    elif isinstance(value, date):
        packed = {"d": value.isoformat()}
    else:
        packed = value
    raw = json.dumps([sort, packed, row_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "after",
        "翻页标记无效或已过期 (the page cursor is not one this list gave)",
        "从第一页重新开始 (start again from the first page, without `after`)",
    )


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """The sort value and id a cursor holds; refused when it was not made for this sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, packed, row_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise _bad_cursor() from error
    if cursor_sort != sort or not isinstance(row_id, int) or not 0 < row_id <= INT32_MAX:
        raise _bad_cursor()
    try:
        if isinstance(packed, dict) and "t" in packed:
            return datetime.fromisoformat(packed["t"]), row_id
        if isinstance(packed, dict) and "d" in packed:
            return date.fromisoformat(packed["d"]), row_id
    except (TypeError, ValueError) as error:
        raise _bad_cursor() from error
    if isinstance(packed, bool) or not isinstance(packed, int | str):
        raise _bad_cursor()
    return packed, row_id


def keyset_page(
    db_session: Session,
    query: Select[T],
    *,
    order: InstrumentedAttribute[Any],
    ident: InstrumentedAttribute[int],
    sort: Sort,
    after: str | None,
    limit: int,
) -> Page[T]:
    """One page of ``query`` ordered by (``order``, ``ident``), newest or oldest first,
    starting after the cursor. ``order`` is a moment column that is never NULL."""
    descending = sort == "newest"
    if after:
        value, last_id = decode_cursor(after, sort)
        # every list sorts by a moment: a cursor holding anything else was not made here
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise _bad_cursor()
        # A row-value comparison, which both backends answer from the (time, id) index; the
        # equivalent OR of two conditions makes SQLite scan.
        key = tuple_(order, ident)
        start = tuple_(literal(value, order.type), literal(last_id, ident.type))
        query = query.where(key < start if descending else key > start)
    if descending:
        query = query.order_by(order.desc(), ident.desc())
    else:
        query = query.order_by(order.asc(), ident.asc())
    rows = list(db_session.scalars(query.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(sort, getattr(last, order.key), getattr(last, ident.key))
    return Page(rows, next_cursor)


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The moments a Beijing date range covers: [since 00:00, the day after until 00:00)."""
    start = datetime.combine(since, time(), CHINA) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), CHINA) if until else None
    return start, end


def in_days(query: Select[T], column: InstrumentedAttribute[Any], filters: ListQuery) -> Select[T]:
    """Rows whose ``column`` falls on the Beijing dates asked for."""
    start, end = day_bounds(filters.since, filters.until)
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column < end)
    return query


def matching(
    query: Select[T],
    text: str,
    columns: Sequence[InstrumentedAttribute[Any]],
    ident: InstrumentedAttribute[int] | None = None,
) -> Select[T]:
    """Rows where any of ``columns`` contains ``text`` (any case); a number also finds the
    row of that id."""
    if not text:
        return query
    found = [c.icontains(text, autoescape=True) for c in columns]
    if ident is not None and text.isdigit() and 0 < int(text) <= INT32_MAX:
        found.append(ident == int(text))
    return query.where(or_(*found))


def one_of(field: str, value: str | None, choices: Mapping[str, object], what: str) -> Any:
    """The choice ``value`` names, None when not asked; refused with the choices when it
    is not one of them (``what``: the field's code in labels.yaml's ``lists.field``)."""
    if value is None or value == "":
        return None
    if value not in choices:
        shown = ", ".join(list(choices)[:12])
        what = labels.label(what, "lists.field")
        said = labels.say("lists.refusal", "no_such", what=what, value=repr(value))
        raise InvalidInput(field, said, f"choose one of: {shown}")
    return choices[value]


def no_such_category(value: str) -> InvalidInput:
    """The refusal of a category code the qualification catalogue does not have."""
    said = labels.say("lists.refusal", "no_category", value=repr(value))
    return InvalidInput("category", said, "choose a category")


def every_row(
    search: Any, *, db_session: Session, filters: ListQuery, chunk: int | None = None
) -> Iterator[Any]:
    """Every row of a filtered list, a chunk at a time (an export never holds them all)."""
    chunk = chunk or EXPORT_CHUNK
    after = None
    while True:
        page = search(db_session=db_session, filters=filters, after=after, limit=chunk)
        yield from page.items
        if page.next_cursor is None:
            return
        after = page.next_cursor
