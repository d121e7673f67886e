"""Console pages for the evidence ledger: its state, and "verify this item"."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from liveguard import labels
from liveguard.bounds import Day, Id, Seq
from liveguard.cases import service as cases_service
from liveguard.clock import CHINA
from liveguard.errors import InvalidInput, NotFound
from liveguard.evidence import bundle, canonical, merkle
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import CheckpointRead, RecordKind
from liveguard.evidence.signing import fingerprint, verify_signature
from liveguard.live import service as live_service
from liveguard.web.deps import Blobs, DbSession, FormAnyStaff, LogSigner, PageStaff
from liveguard.web.pages import render, templates

router = APIRouter(include_in_schema=False)
templates.env.filters["readable"] = lambda record: readable(record)


@router.get("/console/evidence", response_class=HTMLResponse)
def evidence_page(
    request: Request,
    principal: PageStaff,
    db_session: DbSession,
    signer: LogSigner,
    item: Seq | None = None,
    kind: Annotated[str, Query(max_length=40)] = "",
    session_id: Id | None = None,
    case_id: Id | None = None,
    since: Day | None = None,
    until: Day | None = None,
    before: Seq | None = None,
) -> Response:
    seqs = None
    if case_id is not None:
        case = cases_service.get(db_session=db_session, case_id=case_id)
        seqs = {
            r.ledger_seq
            for rows in (
                cases_service.get_links(db_session=db_session, case_id=case.id),
                cases_service.get_events(db_session=db_session, case_id=case.id),
                cases_service.get_files(db_session=db_session, case_id=case.id),
            )
            for r in rows
            if r.ledger_seq is not None
        } | ({case.ledger_seq} if case.ledger_seq is not None else set())
    found = ledger.browse(
        db_session=db_session,
        kind=kind or None,
        session_id=session_id,
        seqs=sorted(seqs) if seqs is not None else None,
        since=_day_start(since),
        until=_day_start(until + timedelta(days=1)) if until else None,
        before=before,
    )
    older: dict[str, Any] = {
        "kind": kind,
        "session_id": session_id,
        "case_id": case_id,
        "since": since,
        "until": until,
        "before": found[-1].seq if found else None,
    }
    size, root = ledger.current_root(db_session=db_session)
    latest = ledger.latest_checkpoint(db_session=db_session)
    signed = latest is not None and verify_signature(
        signer.public_key, ledger.checkpoint_body(latest), bytes(latest.signature)
    )
    checkpoint = ledger.checkpoint_read(latest) if latest is not None else None
    return render(
        request,
        "evidence.html",
        principal,
        size=size,
        root=root.hex(),
        checkpoint=checkpoint,
        signed=signed,
        key_id=signer.key_id,
        public_key=signer.public_key.hex(),
        fingerprint=fingerprint(signer.public_key),
        item=item,
        result=_verify_item(db_session, item, checkpoint) if item is not None else None,
        items=[_row(leaf) for leaf in found],
        filters={
            "kind": kind,
            "session_id": session_id,
            "case_id": case_id,
            "since": since,
            "until": until,
        },
        older=urlencode({k: v for k, v in older.items() if v not in (None, "")})
        if len(found) == ledger.BROWSE_LIMIT
        else None,
        kinds=[(k.value, labels.both(k)) for k in RecordKind],
        rooms=live_service.get_all(db_session=db_session, limit=200),
        cases=cases_service.get_all(db_session=db_session),
    )


def _day_start(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0, 0), CHINA)


def _row(leaf: Any) -> dict[str, Any]:
    """One item as a row a person reads: its kind in words, when it happened, what it says."""
    record = canonical.decode(leaf.data.encode())
    data = record.get("data") or {}
    said = next(
        (
            str(data[k])
            for k in ("text", "quote", "message", "summary", "title", "reason")
            if isinstance(data.get(k), str) and data[k]
        ),
        "",
    )
    if isinstance(data.get("action"), str):  # an action or a warning: what was done, in words
        said = _action_words(data, said)
    occurred = record.get("occurred_at")
    return {
        "seq": leaf.seq,
        "kind": leaf.kind,
        "occurred_at": datetime.fromisoformat(occurred.replace("Z", "+00:00"))
        if isinstance(occurred, str)
        else leaf.recorded_at,
        "said": said[:160],
    }


# How policy actions once gave their reason: "policy.diversion.warn: diversion.x (high)".
POLICY_REASON = re.compile(r"^policy\.[\w.]+: (?P<rule>[\w.]+) \((?P<severity>\w+)\)$")


def _action_words(data: dict[str, Any], said: str) -> str:
    """``转人工处理：邀请观众添加微信…（严重程度：高）``: the action, then its text or reason,
    with a rule id and severity put in words (the ids stay in the record itself)."""
    done = labels.label(data["action"], "enforcement.ActionKind")
    old = POLICY_REASON.match(said)
    if old:
        severity = labels.label(old["severity"], "vocab.Severity")
        said = f"{live_service.rule_words(old['rule'])}（严重程度：{severity}）"
    elif not said and isinstance(data.get("rule"), str):
        said = live_service.rule_words(data["rule"])
    return f"{done}：{said}" if said else done


def readable(record: object) -> str:
    """A verified record as people read it: Chinese as itself (never \\uXXXX), indented."""
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)


def _verify_item(
    db_session: Session, seq: Seq, checkpoint: CheckpointRead | None
) -> dict[str, Any]:
    """Each check on one item, as a person would want it spelled out."""
    try:
        leaf = ledger.get_item(db_session=db_session, seq=seq)
    except NotFound:
        return {"found": False, "checks": [(False, f"the ledger has no item {seq}")]}
    checks = [
        (
            ledger.item_intact(leaf),
            "the stored record still hashes to the hash the ledger recorded（记录未被改动）"
            if ledger.item_intact(leaf)
            else "the stored record has been altered since it was recorded（记录已被改动）",
        )
    ]
    if checkpoint is None or seq >= checkpoint.tree_size:
        checks.append(
            (False, "no checkpoint covers this item yet: issue one first（尚无签名检查点覆盖此条）")
        )
    else:
        path = ledger.inclusion_proof(db_session=db_session, seq=seq, size=checkpoint.tree_size)
        try:
            merkle.verify_inclusion(
                seq,
                checkpoint.tree_size,
                merkle.hash_leaf(leaf.data.encode()),
                path,
                bytes.fromhex(checkpoint.root_hash),
            )
            checks.append(
                (
                    True,
                    f"its inclusion proof ({len(path)} hashes) leads to the root "
                    f"signed in checkpoint {checkpoint.id} "
                    f"({checkpoint.tree_size} items)（已收录于签名的账本）",
                )
            )
        except merkle.ProofError:
            checks.append(
                (
                    False,
                    f"its inclusion proof does not lead to the root signed in "
                    f"checkpoint {checkpoint.id}: the log was altered（账本已被改动）",
                )
            )
    return {
        "found": True,
        "leaf": leaf,
        "record": canonical.decode(leaf.data.encode()),
        "occurred": _row(leaf)["occurred_at"],
        "checks": checks,
    }


@router.post("/console/evidence/bundle")
def download_bundle(
    principal: FormAnyStaff,
    db_session: DbSession,
    signer: LogSigner,
    blobs: Blobs,
    items: Annotated[str, Form(description="item numbers, e.g. 1, 2, 5-8")],
    title: Annotated[str, Form()] = "LiveGuard evidence",
) -> Response:
    """The bundle for the items typed in, as a file download (staff, as the API's)."""
    seqs = parse_items(items)
    checkpoint = ledger.checkpoint_covering(db_session=db_session, signer=signer, seq=max(seqs))
    content = bundle.export(
        db_session=db_session,
        seqs=seqs,
        blobs=blobs,
        signer=signer,
        checkpoint=checkpoint,
        title=title[:200] or "evidence",
    )
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="liveguard-evidence.zip"'},
    )


def parse_items(text: str) -> list[int]:
    """``1, 2, 5-8`` -> [1, 2, 5, 6, 7, 8]; a clear error for anything else."""
    seqs: list[int] = []
    for part in filter(None, (p.strip() for p in text.replace("，", ",").split(","))):
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise InvalidInput(
                "items",
                f"{part!r} is not an item number or a range",
                "write numbers and ranges such as 1, 2, 5-8",
            )
        low, high = int(first), int(last or first)
        if high < low or high - low >= bundle.MAX_ITEMS:
            raise InvalidInput("items", f"the range {part} is empty or too long")
        seqs.extend(range(low, high + 1))
    if not seqs:
        raise InvalidInput("items", "no item numbers given")
    return seqs
