"""The demo's "618" period (1-20 June): live sessions whose lines go through the monitor,
complaints filed through the cases flow, one of them decided, and the period's report made
and stored as staff would ask for it. Loaded last, after every other part of the demo
(the posts included), so the report counts all of it."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from liveguard import datafiles
from liveguard.blobs import BlobStore
from liveguard.cases import flows as cases_flows
from liveguard.cases import handling
from liveguard.cases import service as cases_service
from liveguard.cases.enums import CaseOrigin, CaseState
from liveguard.cases.schemas import ComplaintCreate, DecisionCreate
from liveguard.cases.workflow import transition
from liveguard.cli.demo_opinion import promotion_year
from liveguard.clock import CHINA
from liveguard.live import ingest
from liveguard.live import service as live_service
from liveguard.live.schemas import SessionCreate
from liveguard.reports import fonts
from liveguard.reports import service as reports_service
from liveguard.reports.schemas import ReportCreate

ACTOR = "compliance"
LINES_A_SESSION = 4


def _spec() -> dict[str, Any]:
    name = "demo_reports.yaml"
    spec: dict[str, Any] = datafiles.read(datafiles.shipped_bytes("liveguard.cli", name), name).data
    return spec


def session_count() -> int:
    """How many live sessions the period adds to the demo: one a day."""
    promo = _spec()["promotion"]
    return int(promo["last_day"]) - int(promo["first_day"]) + 1


def load(
    db: Session,
    ids: dict[str, dict[str, int]],
    consumers: dict[str, int],
    blobs: BlobStore,
    today: date,
) -> None:
    spec = _spec()
    promo = spec["promotion"]
    year = promotion_year(today)
    days = [date(year, promo["month"], d) for d in range(promo["first_day"], promo["last_day"] + 1)]
    lines = spec["lines"]
    sessions = []
    for n, day in enumerate(days):
        room = spec["rooms"][n % len(spec["rooms"])]
        started = datetime.combine(day, time(20, 0), CHINA)
        live_session = live_service.create(
            db_session=db,
            session_in=SessionCreate(
                platform_id=ids["platform"][room["platform"]],
                room_code=room["room_code"],
                title=f"{room['title']}（{day.month}月{day.day}日）",
                anchor_id=ids["anchor"][room["anchor"]],
                merchant_id=ids["merchant"][room["merchant"]],
                started_at=started,
                ended_at=started + timedelta(minutes=90),
                peak_viewers=20000 + 1500 * n,
            ),
        )
        sessions.append(live_session)
        # a few more lines as the promotion nears its peak on the 18th
        count = LINES_A_SESSION + (n * 3) // len(days)
        events = [
            {
                "event_id": f"618-{day.isoformat()}-{k}",
                "kind": "utterance" if line["speaker_role"] != "viewer" else "chat",
                "occurred_at": (started + timedelta(minutes=5 * (k + 1))).isoformat(),
                "data": (
                    {"start_ms": 300_000 * (k + 1), "end_ms": 300_000 * (k + 1) + 4000}
                    if line["speaker_role"] != "viewer"
                    else {}
                ),
                **line,
            }
            for k in range(count)
            for line in [lines[(n * 3 + k) % len(lines)]]
        ]
        outcome = ingest.ingest(
            db_session=db,
            live_session=live_session,
            raw_events=events,
            channel="demo",
            blobs=blobs,
            now=started + timedelta(minutes=90),
        )
        if outcome.refused:
            raise ValueError(f"demo events refused: {outcome.refused}")

    cases = []
    for item in spec["complaints"]:
        day = days[item["day"] - 1]
        live_session = sessions[item["day"] - 1]
        filed = datetime.combine(day, time(21, 30), CHINA)
        data = {k: v for k, v in item.items() if k not in ("day", "room", "consumer")}
        cases.append(
            cases_flows.file_complaint(
                db_session=db,
                complaint_in=ComplaintCreate(
                    session_id=live_session.id, occurred_at=filed - timedelta(minutes=60), **data
                ),
                consumer_id=consumers[item["consumer"]],
                origin=CaseOrigin.consumer,
                actor=f"consumer:{consumers[item['consumer']]}",
                now=filed,
                today=day,
            )
        )
    for item in spec["decided"]:
        case = cases[item["complaint"]]
        on = case.filed_at + timedelta(days=1)
        for state in (CaseState.accepted, CaseState.with_merchant):
            transition(
                db_session=db,
                case=case,
                to_state=state,
                actor=ACTOR,
                party_role="staff",
                reason="受理并转商家处理",
                now=on,
                today=on.astimezone(CHINA).date(),
            )
        handling.decide(
            db_session=db,
            case=case,
            decision_in=DecisionCreate(
                outcome=item["outcome"], amount_fen=item["amount_fen"], liable=item["liable"]
            ),
            actor=ACTOR,
            now=on + timedelta(days=2),
            today=(on + timedelta(days=2)).astimezone(CHINA).date(),
        )
    cases_service.count(db_session=db)  # flushed: the report below reads them

    try:
        fonts.find()
    except fonts.FontMissing as missing:  # the demo runs; the report waits for the font
        print(f"demo: the 618 report was not made: {missing.detail}", file=sys.stderr)
        return
    reports_service.create(
        db_session=db,
        report_in=ReportCreate(
            start=days[0],
            end=days[-1],
            title=f"{year}年“618”直播带货消费维权舆情分析报告",
        ),
        actor=ACTOR,
        now=datetime.combine(today, time(0, 0), CHINA),
    )
