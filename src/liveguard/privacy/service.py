"""Buyers' personal information: the consent registry, the marketing send gate, refused
sends per merchant (for credit), the buyer's requests, and the log of who read what in
clear and why. Services flush; the caller commits.

Cross-store work (deletion across every store, the buyer's overview of who holds her
data) is in ``flows``; the pure gate and the rules are in ``policy``.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, Delete, Update, and_, case, func, insert, select
from sqlalchemy.orm import Session

from liveguard import refusals
from liveguard.clock import CHINA
from liveguard.config import get_settings
from liveguard.db import table_of
from liveguard.detect import service as detect_service
from liveguard.errors import NotFound
from liveguard.labels import label
from liveguard.liability import service as liability_service
from liveguard.privacy import policy as rules
from liveguard.privacy.enums import (
    Channel,
    HolderKind,
    Purpose,
    Refusal,
    RequestKind,
    RequestStatus,
)
from liveguard.privacy.fields import FieldCipher
from liveguard.privacy.models import AccessRecord, Consent, MarketingSend, SubjectRequest
from liveguard.privacy.schemas import ConsentCreate, RefusedSend, SendDecision, SendResult
from liveguard.vocab import StaffRole

__all__ = ["AccessRecord", "Consent", "MarketingSend", "SubjectRequest"]


def affected(db_session: Session, statement: Delete | Update) -> int:
    """Run a set-based DELETE or UPDATE: how many rows it touched."""
    return int(cast(CursorResult[Any], db_session.execute(statement)).rowcount)


# --- personal numbers in free text ---------------------------------------------------------

CIPHER_KEY = "cipher"  # the session factory's ``info`` entry holding the app's FieldCipher


class SealedText(NamedTuple):
    """A typed text as it is stored: ``text`` with personal numbers masked (138****1234),
    and ``enc``, the words as typed under the field-encryption key, only when the scrub
    masked something (None: ``text`` is the words as typed)."""

    text: str
    enc: str | None


@lru_cache(maxsize=1)
def _process_cipher() -> FieldCipher:
    return FieldCipher.from_key_dir(get_settings().key_dir)


def session_info(cipher: FieldCipher) -> dict[str, Any]:
    """What a session factory carries so the services it opens seal text with ``cipher``:
    ``make_session_factory(engine, info=session_info(cipher))``."""
    return {CIPHER_KEY: cipher}


def cipher_of(db_session: Session) -> FieldCipher:
    """The field cipher of the app that opened ``db_session`` (its session factory carries
    it), else the process's (the CLI: the configured key directory)."""
    found = db_session.info.get(CIPHER_KEY)
    return found if isinstance(found, FieldCipher) else _process_cipher()


def mask_text(text: str) -> str:
    """``text`` with the phone, ID and card numbers (and addresses) in it masked: the one
    function every free-text column goes through before it is stored."""
    return detect_service.scrub(text).text if text else text


def seal_text(*, db_session: Session, text: str, context: str) -> SealedText:
    """``text`` as a column stores it: masked, and the original sealed (bound to
    ``context``, e.g. ``case.summary``) when the masking changed it, so staff with a
    purpose can still read the words as typed and key rotation re-encrypts them."""
    if not text:
        return SealedText(text, None)
    scrubbed = detect_service.scrub(text)
    if not scrubbed.changed:
        return SealedText(text, None)
    return SealedText(scrubbed.text, cipher_of(db_session).encrypt(text, context=context))


def open_text(*, cipher: FieldCipher, text: str, enc: str | None, context: str) -> str:
    """The words as typed: the sealed original when there is one, else the stored text.
    Callers log the view (``record_access``) first; pages show ``text``."""
    return cipher.decrypt(enc, context=context) if enc else text


# --- the access log -------------------------------------------------------------------------


def record_access(
    *,
    db_session: Session,
    accessed_by: str,
    subject_kind: str,
    subject_id: int,
    fields: list[str],
    purpose: str,
) -> AccessRecord:
    record = AccessRecord(
        accessed_by=accessed_by,
        subject_kind=subject_kind,
        subject_id=subject_id,
        fields=",".join(fields),
        purpose=purpose,
    )
    db_session.add(record)
    db_session.flush()
    return record


def get_access_log(
    *, db_session: Session, subject_kind: str, subject_id: int
) -> list[AccessRecord]:
    query = (
        select(AccessRecord)
        .where(AccessRecord.subject_kind == subject_kind, AccessRecord.subject_id == subject_id)
        .order_by(AccessRecord.id)
    )
    return list(db_session.scalars(query))


def get_all_access(
    *, db_session: Session, offset: int = 0, limit: int = 100
) -> tuple[list[AccessRecord], int]:
    """Every full view of personal data, newest first: what an admin reviews."""
    total = int(db_session.scalar(select(func.count()).select_from(AccessRecord)) or 0)
    query = select(AccessRecord).order_by(AccessRecord.id.desc()).offset(offset).limit(limit)
    return list(db_session.scalars(query)), total


def check_reveal(*, role: StaffRole | None, field: str, purpose: str) -> str:
    """The stated purpose's words if ``role`` may see ``field`` in full for it; else
    Forbidden (the role) or InvalidInput (a purpose the policy does not know)."""
    rule = rules.policy().reveal_rule(field)
    if role not in rule.roles:
        needed = "、".join(label(r) for r in rule.roles)
        raise refusals.forbidden(
            "privacy", "masked_only", role=label(role), what=rule.title_zh, needed=needed
        )
    for known in rule.purposes:
        if known.id == purpose:
            return known.title_zh
    purposes = "、".join(f"{p.id}（{p.title_zh}）" for p in rule.purposes)
    raise refusals.invalid(
        "privacy",
        "purpose",
        "no_such_purpose",
        purpose=purpose,
        what=rule.title_zh,
        purposes=purposes,
    )


# --- consents -------------------------------------------------------------------------------


def create_consent(
    *, db_session: Session, consent_in: ConsentCreate, recorded_by: str, now: datetime
) -> Consent:
    """Record a consent as given (个人信息保护法 arts. 14, 17)."""
    consent = Consent(
        **consent_in.model_dump(exclude={"given_at"}),
        given_at=consent_in.given_at or now,
        recorded_by=recorded_by,
        unsubscribe_token=secrets.token_urlsafe(32),
    )
    db_session.add(consent)
    db_session.flush()
    return consent


def get_consent(*, db_session: Session, consent_id: int) -> Consent:
    consent = db_session.get(Consent, consent_id)
    if consent is None:
        raise NotFound("consent", consent_id)
    return consent


def get_by_unsubscribe_token(*, db_session: Session, token: str) -> Consent | None:
    return db_session.scalar(select(Consent).where(Consent.unsubscribe_token == token))


def consents_of(*, db_session: Session, consumer_id: int) -> Sequence[Consent]:
    query = select(Consent).where(Consent.consumer_id == consumer_id).order_by(Consent.id)
    return db_session.scalars(query).all()


def withdraw(*, db_session: Session, consent: Consent, via: str, now: datetime) -> Consent:
    """Withdraw a consent; withdrawing twice keeps the first moment (art. 15)."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = now
        consent.withdrawn_via = via
        db_session.flush()
    return consent


# --- the marketing send gate ----------------------------------------------------------------


def _gate_inputs(
    db_session: Session, merchant_id: int, channel: Channel, at: datetime
) -> tuple[dict[int, int], set[int], dict[int, int]]:
    """For one merchant and channel, with two set-based queries: each buyer's live consent,
    the buyers who withdrew, and how many messages each was sent in the cap's period."""
    cap = rules.policy().cap(channel)
    # Whether each consent stands at ``at`` is decided in SQL, so no row's timestamp is
    # parsed in Python: one integer triple per buyer comes back, fetched all at once.
    gone = and_(Consent.withdrawn_at.is_not(None), Consent.withdrawn_at <= at)
    connection = db_session.connection()  # Core rows: no ORM loading for a whole shop's list
    rows = connection.execute(
        select(Consent.consumer_id, Consent.id, case((gone, 1), else_=0)).where(
            Consent.holder_kind == HolderKind.merchant,
            Consent.holder_id == merchant_id,
            Consent.purpose == Purpose.marketing,
            Consent.channel == channel,
            Consent.given_at <= at,
        )
    ).all()
    live: dict[int, int] = {buyer: consent for buyer, consent, is_gone in rows if not is_gone}
    withdrawn = {buyer for buyer, _, is_gone in rows if is_gone}
    sent = dict(
        connection.execute(
            select(MarketingSend.consumer_id, func.count())
            .where(
                MarketingSend.merchant_id == merchant_id,
                MarketingSend.channel == channel,
                MarketingSend.allowed.is_(True),
                MarketingSend.requested_at > at - timedelta(days=cap.period_days),
                MarketingSend.requested_at <= at,
            )
            .group_by(MarketingSend.consumer_id)
        ).all()
    )
    return live, withdrawn - live.keys(), sent


def check(
    *,
    db_session: Session,
    merchant_id: int,
    channel: Channel,
    consumer_ids: Sequence[int],
    at: datetime,
) -> list[tuple[int, Refusal | None, int | None]]:
    """Each recipient, its refusal (None: allowed) and its live consent: nothing written."""
    policy = rules.policy()
    live, withdrawn, sent = _gate_inputs(db_session, merchant_id, channel, at)
    return rules.decide(
        consumer_ids,
        live=live,
        withdrawn=withdrawn,
        sent=sent,
        cap=policy.cap(channel),
        quiet=policy.marketing.quiet_hours.covers(at),
    )


def footer(*, shop_name: str, url: str) -> str:
    """The unsubscribe line every allowed message carries (广告法 art. 43)."""
    return rules.policy().marketing.unsubscribe_footer.format(shop=shop_name, url=url)


def send(
    *,
    db_session: Session,
    merchant_id: int,
    shop_name: str,
    channel: Channel,
    consumer_ids: Sequence[int],
    text: str,
    at: datetime,
    requested_by: str,
    unsubscribe_base: str,
) -> SendResult:
    """Gate a bulk send and record every decision, allowed or refused, in one insert; each
    allowed message is returned with its own unsubscribe line."""
    decided = check(
        db_session=db_session,
        merchant_id=merchant_id,
        channel=channel,
        consumer_ids=consumer_ids,
        at=at,
    )
    db_session.execute(
        insert(table_of(MarketingSend)),
        [
            {
                "merchant_id": merchant_id,
                "consumer_id": consumer_id,
                "channel": channel,
                "requested_at": at,
                "allowed": refusal is None,
                "refusal": refusal,
                "consent_id": consent_id,
                "requested_by": requested_by,
            }
            for consumer_id, refusal, consent_id in decided
        ],
    )
    tokens = _tokens_of_merchant(db_session, merchant_id)
    return result(
        decided,
        message=lambda consent_id: (
            f"{text}\n"
            + footer(shop_name=shop_name, url=f"{unsubscribe_base}/u/{tokens[consent_id]}")
        ),
    )


def _tokens_of_merchant(db_session: Session, merchant_id: int) -> dict[int, str]:
    query = select(Consent.id, Consent.unsubscribe_token).where(
        Consent.holder_kind == HolderKind.merchant, Consent.holder_id == merchant_id
    )
    return {int(k): str(v) for k, v in db_session.execute(query).all()}


def result(
    decided: Sequence[tuple[int, Refusal | None, int | None]],
    *,
    message: object = None,
) -> SendResult:
    """The answer to a bulk check or send: counts, and per recipient allowed or why not."""
    policy = rules.policy()
    words = {reason: policy.refusal(reason).title_zh for reason in Refusal}
    by_reason = Counter(r.value for _, r, _ in decided if r is not None)
    render = message if callable(message) else None
    decisions = [  # built without re-validating what the gate itself produced
        SendDecision.model_construct(
            consumer_id=consumer_id,
            allowed=refusal is None,
            reason=refusal,
            reason_zh=words[refusal] if refusal is not None else None,
            message=render(consent_id) if render and refusal is None else None,
        )
        for consumer_id, refusal, consent_id in decided
    ]
    refused = sum(by_reason.values())
    return SendResult(
        allowed=len(decided) - refused,
        refused=refused,
        by_reason=dict(by_reason),
        decisions=decisions,
    )


def sends_of(*, db_session: Session, merchant_id: int) -> Sequence[MarketingSend]:
    """Every recorded send of one merchant, oldest first (for pseudonymous exports)."""
    query = select(MarketingSend).where(MarketingSend.merchant_id == merchant_id)
    return db_session.scalars(query.order_by(MarketingSend.id)).all()


def refused_send_counts(
    *, db_session: Session, merchant_id: int, since: datetime | None = None
) -> dict[str, int]:
    """Refused marketing sends of one merchant by reason (what credit counts against it)."""
    query = (
        select(MarketingSend.refusal, func.count())
        .where(MarketingSend.merchant_id == merchant_id, MarketingSend.allowed.is_(False))
        .group_by(MarketingSend.refusal)
    )
    if since is not None:
        query = query.where(MarketingSend.requested_at >= since)
    return {str(reason): int(n) for reason, n in db_session.execute(query).all()}


def refused_sends(
    *, db_session: Session, merchant_id: int, since: datetime | None = None
) -> list[RefusedSend]:
    """One merchant's refused sends, oldest first, with the reason in plain Chinese: the
    records credit counts against it."""
    query = select(
        MarketingSend.id, MarketingSend.requested_at, MarketingSend.channel, MarketingSend.refusal
    ).where(MarketingSend.merchant_id == merchant_id, MarketingSend.allowed.is_(False))
    if since is not None:
        query = query.where(MarketingSend.requested_at >= since)
    policy = rules.policy()
    return [
        RefusedSend(
            id=pk,
            requested_at=at,
            channel=channel,
            reason=reason,
            reason_zh=policy.refusal(reason).title_zh,
        )
        for pk, at, channel, reason in db_session.execute(query.order_by(MarketingSend.id))
        if reason is not None
    ]


def refused_by_merchant(*, db_session: Session, since: datetime | None = None) -> dict[int, int]:
    """Refused sends per merchant, for the admin's overview."""
    query = (
        select(MarketingSend.merchant_id, func.count())
        .where(MarketingSend.allowed.is_(False))
        .group_by(MarketingSend.merchant_id)
    )
    if since is not None:
        query = query.where(MarketingSend.requested_at >= since)
    return {int(m): int(n) for m, n in db_session.execute(query).all()}


# --- the buyer's requests -------------------------------------------------------------------


def create_request(
    *, db_session: Session, consumer_id: int, kind: RequestKind, now: datetime
) -> SubjectRequest:
    """A request to copy or delete, due in the policy's working days (arts. 45, 47, 50)."""
    rule = rules.policy().request_rule(kind)
    due_on, _ = liability_service.add_working_days(
        start=now.astimezone(CHINA).date(), working_days=rule.working_days
    )
    request = SubjectRequest(consumer_id=consumer_id, kind=kind, received_at=now, due_on=due_on)
    db_session.add(request)
    db_session.flush()
    return request


def get_request(*, db_session: Session, request_id: int) -> SubjectRequest:
    request = db_session.get(SubjectRequest, request_id)
    if request is None:
        raise NotFound("request", request_id)
    return request


def requests_of(*, db_session: Session, consumer_id: int) -> Sequence[SubjectRequest]:
    query = select(SubjectRequest).where(SubjectRequest.consumer_id == consumer_id)
    return db_session.scalars(query.order_by(SubjectRequest.id)).all()


def get_all_requests(
    *, db_session: Session, status: RequestStatus | None = None
) -> Sequence[SubjectRequest]:
    query = select(SubjectRequest).order_by(SubjectRequest.due_on, SubjectRequest.id)
    if status is not None:
        query = query.where(SubjectRequest.status == status)
    return db_session.scalars(query).all()


def close_request(
    *,
    db_session: Session,
    request: SubjectRequest,
    status: RequestStatus,
    handled_by: str,
    now: datetime,
    outcome: dict[str, object] | None = None,
    reason: str | None = None,
) -> SubjectRequest:
    if request.status is not RequestStatus.open:
        raise refusals.invalid("privacy", "request", "request_closed")
    if status is RequestStatus.refused and not reason:
        raise refusals.invalid("privacy", "reason", "refusal_needs_reason")
    request.status = status
    request.handled_by = handled_by
    request.completed_at = now
    request.outcome = outcome
    request.reason = reason
    db_session.flush()
    return request
