"""The room's real picture as a console page (S11): viewers per minute as a line, chat and
orders per minute as bars, all in one inline SVG drawn here (no script, no chart
library), with the totals against the category, the signs of bought traffic and who ran
the room. Staff see every room; the merchant who paid for a room sees its own."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from liveguard.bounds import Id
from liveguard.live import service as live_service
from liveguard.live.schemas import MinuteRead
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import DbSession, MaybePrincipal, SignInFirst
from liveguard.web.pages import china_time, render
from liveguard.web.permissions import check_room_reader

router = APIRouter(include_in_schema=False)

WIDTH, HEIGHT, PAD = 720, 240, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    pad: int
    viewers: str  # the polyline's points
    bars: list[Bar]
    peak_viewers: int
    peak_talk: int
    bar_width: float
    first: str
    last: str


def chart(minutes: list[MinuteRead]) -> Chart:
    """Coordinates of the per-minute chart: viewers scaled to the height, and chat plus
    orders on their own scale (they are hundreds of times fewer)."""
    n = max(len(minutes), 1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / n
    peak = max((m.viewers for m in minutes), default=0) or 1
    talk = max((m.chats + m.orders for m in minutes), default=0) or 1
    points, bars = [], []
    for i, m in enumerate(minutes):
        x = PAD + step * (i + 0.5)
        points.append(f"{x:.1f},{PAD + inner_h - inner_h * m.viewers / peak:.1f}")
        h = inner_h * (m.chats + m.orders) / talk
        bars.append(
            Bar(
                x=PAD + step * i + step * 0.15,
                y=PAD + inner_h - h,
                height=h,
                title=f"{m.viewers} 人在看 · {m.chats} 条评论 · {m.orders} 笔订单",
            )
        )
    shown = [china_time(m.start, "%H:%M") for m in minutes[:1] + minutes[-1:]]
    return Chart(
        WIDTH,
        HEIGHT,
        PAD,
        " ".join(points),
        bars,
        peak if minutes else 0,
        talk if minutes else 0,
        step * 0.7,
        shown[0] if shown else "",
        shown[-1] if shown else "",
    )


@router.get("/console/live/{session_id}/picture", response_class=HTMLResponse)
def picture_page(
    request: Request, session_id: Id, db_session: DbSession, principal: MaybePrincipal
) -> Response:
    if principal is None or not (principal.is_staff or principal.kind is PrincipalKind.merchant):
        raise SignInFirst
    live_session = live_service.get(db_session=db_session, session_id=session_id)
    check_room_reader(principal, live_session.merchant_id)
    shown = live_service.room_picture(db_session=db_session, live_session=live_session)
    return render(
        request,
        "live_picture.html",
        principal,
        picture=shown,
        chart=chart(shown.minutes),
    )
