"""Console pages for public opinion: the posts with their categories and the parties they
name (``/console/opinion``), trends by day with the parties most named
(``/console/opinion/trends``), and the spike alerts staff acknowledge
(``/console/opinion/alerts``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from liveguard.auth.service import Principal
from liveguard.bounds import Day, Id
from liveguard.errors import LiveGuardError
from liveguard.opinion import classify
from liveguard.opinion import service as opinion_service
from liveguard.opinion.enums import AlertStatus, Category, PartyKind
from liveguard.web.deps import DbSession, Now, PageStaff, actor, form_staff_of
from liveguard.web.pages import decide_and_return, render
from liveguard.web.permissions import COMPLIANCE_WORK
from liveguard.web.refusal_words import said

router = APIRouter(include_in_schema=False)

KIND_ZH = {
    PartyKind.merchant: "商家",
    PartyKind.anchor: "主播",
    PartyKind.platform: "平台",
    PartyKind.brand: "品牌",
}
SOURCE_ZH = {
    "weibo": "微博",
    "heimao": "黑猫投诉",
    "xiaohongshu": "小红书",
    "12315": "12315",
    "review": "商品评价",
    "douyin": "抖音评论",
}
# one colour a category in the charts (the order of Category)
COLOURS = (
    "#b42318",
    "#dc6803",
    "#7a5af8",
    "#1570ef",
    "#067647",
    "#c11574",
    "#475467",
    "#0e9384",
    "#ca8504",
    "#98a2b3",
)
PAGE = 50


def _labels() -> dict[str, str]:
    return {c.value: classify.label_zh(c.value) for c in Category}


def _period(
    db_session: Any, start: date | None, end: date | None, today: date
) -> tuple[date, date]:
    """The period asked for, else the 30 days up to the newest post (or ``today``)."""
    end = end or opinion_service.latest_day(db_session=db_session) or today
    start = start or end - timedelta(days=29)
    if start > end:
        start, end = end, start
    return start, end


@router.get("/console/opinion", response_class=HTMLResponse)
def posts_page(
    request: Request,
    db_session: DbSession,
    principal: PageStaff,
    start: Day | None = None,
    end: Day | None = None,
    category: Category | None = None,
    negative: Annotated[str, Query(pattern="^(|yes|no)$")] = "",
    source: Annotated[str, Query(max_length=40)] = "",
    party: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    error, status_code = "", 200
    try:
        posts, total = opinion_service.get_all(
            db_session=db_session,
            start=start,
            end=end,
            category=category,
            negative={"yes": True, "no": False}.get(negative),
            source=source or None,
            party=party or None,
            offset=(page - 1) * PAGE,
            limit=PAGE,
        )
    except LiveGuardError as refusal:  # a period that ends before it starts: say so, keep it
        posts, total, error, status_code = [], 0, said(refusal), 422
    filters = {
        "start": start.isoformat() if start else "",
        "end": end.isoformat() if end else "",
        "category": category.value if category else "",
        "negative": negative,
        "source": source,
        "party": party,
    }
    return render(
        request,
        "opinion_posts.html",
        principal,
        posts=posts,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        filters=filters,
        labels=_labels(),
        kinds={k.value: v for k, v in KIND_ZH.items()},
        sources=SOURCE_ZH,
        error=error,
        status_code=status_code,
    )


def _chart(days: list[date], series: dict[str, dict[date, int]]) -> dict[str, Any]:
    """Stacked bars: one bar a day, one colour a category (an SVG's geometry)."""
    width, height, left, bottom = 760, 220, 36, 24
    tallest = max([sum(s.get(d, 0) for s in series.values()) for d in days] + [1])
    step = (width - left) / max(len(days), 1)
    bars = []
    for i, day in enumerate(days):
        y = float(height - bottom)
        for k, (name, counts) in enumerate(series.items()):
            n = counts.get(day, 0)
            if not n:
                continue
            h = (height - bottom - 10) * n / tallest
            y -= h
            bars.append(
                {
                    "x": round(left + i * step + 1, 1),
                    "y": round(y, 1),
                    "w": round(max(step - 2, 1), 1),
                    "h": round(h, 1),
                    "colour": COLOURS[k % len(COLOURS)],
                    "title": f"{day.isoformat()} {name}: {n}",
                }
            )
    ticks = [
        {"x": round(left + i * step + step / 2, 1), "label": f"{day.month}/{day.day}"}
        for i, day in enumerate(days)
        if len(days) <= 16 or i % max(1, len(days) // 10) == 0
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "tallest": tallest,
        "base": height - bottom,
        "left": left,
    }


@router.get("/console/opinion/trends", response_class=HTMLResponse)
def trends_page(
    request: Request,
    db_session: DbSession,
    principal: PageStaff,
    start: Day | None = None,
    end: Day | None = None,
) -> Response:
    start, end = _period(db_session, start, end, request.app.state.clock.today())
    if (end - start).days > 366:
        start = end - timedelta(days=366)
    counts = opinion_service.daily_counts(db_session, start=start, end=end)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    labels = _labels()
    series: dict[str, dict[date, int]] = {
        labels[c.value]: {} for c in Category if c is not Category.other
    }
    table: dict[str, dict[str, int]] = {c.value: {"negative": 0, "total": 0} for c in Category}
    for row in counts:
        table[row.category.value]["negative"] += row.negative
        table[row.category.value]["total"] += row.total
        if row.category is not Category.other and row.negative:
            series[labels[row.category.value]][row.day] = row.negative
    legend = [{"name": name, "colour": COLOURS[k % len(COLOURS)]} for k, name in enumerate(series)]
    party_rows = opinion_service.party_daily_counts(db_session, start=start, end=end)
    top = opinion_service.top_parties(db_session, start=start, end=end, limit=10)
    by_party: dict[tuple[str, str], dict[date, int]] = {}
    for mention in party_rows:
        by_party.setdefault((mention.kind.value, mention.name), {})[mention.day] = mention.count
    party_trends = [
        {
            "party": p,
            "days": [by_party.get((p.kind.value, p.name), {}).get(d, 0) for d in days],
        }
        for p in top
    ]
    return render(
        request,
        "opinion_trends.html",
        principal,
        start=start,
        end=end,
        days=days,
        chart=_chart(days, series),
        legend=legend,
        table=table,
        labels=labels,
        total=opinion_service.posts_total(db_session, start=start, end=end),
        top=top,
        party_trends=party_trends,
        kinds={k.value: v for k, v in KIND_ZH.items()},
    )


@router.get("/console/opinion/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    db_session: DbSession,
    principal: PageStaff,
    notice: str = "",
    error: str = "",
) -> Response:
    alerts = opinion_service.get_alerts(db_session=db_session)
    return render(
        request,
        "opinion_alerts.html",
        principal,
        alerts=alerts,
        may_acknowledge=principal.role in COMPLIANCE_WORK,
        notice=notice,
        error=error,
        open_status=AlertStatus.open,
    )


# who acknowledges an alert: the roles the API route beside it admits
FormCompliance = Annotated[Principal, Depends(form_staff_of(*COMPLIANCE_WORK))]


@router.post("/console/opinion/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    request: Request,
    alert_id: Id,
    db_session: DbSession,
    now: Now,
    principal: FormCompliance,
) -> Response:
    def act() -> None:
        alert = opinion_service.get_alert(db_session=db_session, alert_id=alert_id)
        opinion_service.acknowledge(
            db_session=db_session, alert=alert, actor=actor(principal), now=now
        )

    return decide_and_return(request, act, "/console/opinion/alerts")
