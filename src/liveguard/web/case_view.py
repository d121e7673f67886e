"""The case page as the console shows it: the answer, the questions still open, the
timeline of records, events and files, and the steps staff may take. Shared by the page
itself and the step forms, which show it again with the refusal and what was typed kept
when a step is refused (``case_steps``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liveguard import labels
from liveguard.auth.service import Principal
from liveguard.cases import publicity, service, workflow
from liveguard.web.case_facts import fact_field
from liveguard.web.pages import render
from liveguard.web.permissions import CASE_WORK


def page(
    request: Request,
    db_session: Session,
    principal: Principal,
    case: service.Case,
    *,
    notice: str = "",
    error: str = "",
    kept: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The case page; ``kept``: a refused step's fields as they were typed, by name."""
    questions = case.resolution.get("questions", [])
    can_work = principal.is_staff and principal.role in CASE_WORK
    return render(
        request,
        "case.html",
        principal,
        case=case,
        answer=case.resolution,
        fields={q["field"]: fact_field(q["field"]) for q in questions},
        timeline=case_timeline(
            links=service.get_links(db_session=db_session, case_id=case.id),
            events=service.get_events(db_session=db_session, case_id=case.id),
            files=service.get_files(db_session=db_session, case_id=case.id),
            show_notes=can_work,
        ),
        next_states=workflow.next_states(case),
        can_work=can_work,
        # the public record as it would go out, for staff to check before they publish
        publication=publicity.draft(db_session=db_session, case=case)
        if can_work and case.published_at is None and case.state in publicity.PUBLISHABLE
        else None,
        notice=notice,
        error=error,
        kept=kept or {},
        status_code=status_code,
    )


def _moment(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _frame_words(data: dict[str, Any]) -> str:
    """What a frame showed, in words: each QR code's kind and payload, then its text."""
    said = [
        f"二维码（{labels.label(c.get('kind'), 'live.PayloadKind')}）{c.get('payload', '')}"
        for c in data.get("qr") or []
    ] + [str(line) for line in data.get("lines") or []]
    return "；".join(said) or "画面"


def case_timeline(
    *, links: Sequence[Any], events: Sequence[Any], files: Sequence[Any], show_notes: bool
) -> dict[str, Any]:
    """The case's facts and evidence in time order: what was said, shown, found and done in
    the room, then what happened to the case, each with the ledger item behind it. A
    finding sits under the words or frame it was found in; records without a moment
    (the room, the listing's versions, files) are listed apart."""
    rows: list[dict[str, Any]] = []
    by_ref: dict[str, dict[str, Any]] = {}
    findings = []
    undated: list[dict[str, Any]] = []
    room = None
    for link in links:
        if link.kind == "session":
            room = link
            continue
        if link.kind == "finding":
            findings.append(link)
            continue
        at = _moment(link.data.get("occurred_at") or link.data.get("created_at"))
        if link.kind in ("action", "warning"):  # its words, not the policy's id and rule
            by = "系统按规则自动" if link.data.get("actor") == "policy" else link.data.get("actor")
            text = " · ".join(str(x) for x in (link.data.get("text"), by) if x)
        elif link.kind == "frame":
            text = _frame_words(link.data)
        else:
            text = link.data.get("text") or link.summary
        row = {
            "at": at,
            "kind": link.kind,
            "action": link.data.get("action"),
            "rule": link.data.get("rule"),  # the id, for machines: the words are in text
            "speaker": link.data.get("speaker_role"),
            "text": text,
            "quote": link.data.get("quote"),
            "seq": link.ledger_seq,
            "findings": [],
        }
        (rows if at is not None else undated).append(row)
        by_ref[link.ref] = row
    for link in findings:
        finding = {
            "text": link.summary,
            "severity": link.data.get("severity"),
            "quote": link.data.get("quote"),
            "seq": link.ledger_seq,
            "status": link.data.get("status"),
        }
        if (on := by_ref.get(str(link.data.get("on")))) is not None:
            on["findings"].append(finding)
        else:
            undated.append(
                {
                    "kind": "finding",
                    "text": link.summary,
                    "seq": link.ledger_seq,
                    "quote": finding["quote"],
                    "findings": [],
                }
            )
    for event in events:
        rows.append(
            {
                "at": event.at,
                "kind": "case_event",
                "event": event,
                "text": event.text
                if event.text and (event.kind.value != "note" or show_notes)
                else "",
                "seq": event.ledger_seq,
                "findings": [],
            }
        )
    for f in files:
        undated.append(
            {
                "kind": "file",
                "text": f.file_name,
                "seq": f.ledger_seq,
                "findings": [],
                "sha256": f.sha256,
            }
        )
    rows.sort(key=lambda r: (r["at"], r["seq"] if r["seq"] is not None else -1))
    return {"room": room, "rows": rows, "undated": undated}
