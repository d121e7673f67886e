"""Linking a complaint to what LiveGuard recorded, and the facts those records settle.

The live session's utterances, chat and frames around the moment the consumer names, the
findings and warnings the live monitor recorded on them (``linking.py``), the listing's
versions and the order are linked to the case; from them come the facts the records can
vouch for (who sold, who spoke, how the buyer was led off the platform, which promises
were made, who ran the room). Each such fact keeps where it came from. Everything else
is the consumer's to state, and the engine asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from liveguard import datafiles
from liveguard.cases import linking
from liveguard.cases.linking import Seen
from liveguard.cases.models import CaseLink
from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.detect.normalize import default as normaliser
from liveguard.legal import chinese_numeral
from liveguard.liability.facts import (
    AnchorRole,
    Category,
    Diverter,
    OffPlatformPayment,
    PromiseKind,
    PromiseMaker,
    RecordSource,
    RoomOperator,
)
from liveguard.live import service as live_service
from liveguard.live.enums import EventKind, SpeakerRole
from liveguard.parties import service as parties_service
from liveguard.parties.enums import PartyStatus, RelationKind


class CategoryRule(datafiles.Strict):
    category: Category
    life_health: bool


class PromiseRule(datafiles.Strict):
    kind: PromiseKind
    pattern: str
    more_than: int | None = None
    examples: dict[str, int | None] = Field(min_length=1)


class IntakeRules(datafiles.Strict):
    window_minutes: int = Field(ge=1, le=24 * 60)
    categories: dict[str, CategoryRule]
    diversion_categories: list[str] = Field(min_length=1)
    diverted_by_role: dict[str, Diverter]
    payment_hints: dict[OffPlatformPayment, list[str]]
    qr_payments: dict[str, OffPlatformPayment]  # a QR payload kind that is a way to pay
    promises: list[PromiseRule]


@cache
def rules() -> IntakeRules:
    return datafiles.load("liveguard.cases", "intake.yaml", IntakeRules)


_AS_CHINESE = str.maketrans("0123456789", "零一二三四五六七八九")


def number(text: str) -> int:
    """An Arabic or simple Chinese numeral as the normaliser leaves it (十, 十5, 3十, 1百):
    the digits written back in Chinese, then read as the law's article numbers are."""
    return int(text) if text.isdigit() else chinese_numeral(text.translate(_AS_CHINESE))


@dataclass(frozen=True)
class FoundPromise:
    kind: PromiseKind
    n: int | None
    quote: str


def find_promises(text: str) -> list[FoundPromise]:
    """Promises beyond the law in one text (假一赔十, 坏一赔三, 不满意全额退, 15天无理由)."""
    normalised = normaliser()(text)
    found = []
    for rule in rules().promises:
        for match in re.finditer(rule.pattern, normalised.compact):
            n = _days(match.groupdict()) if rule.kind is PromiseKind.replace_within else None
            if n is None and match.groupdict().get("n"):
                n = number(match.group("n"))
            if rule.more_than is not None and (n is None or n <= rule.more_than):
                continue
            start, end = normalised.base_span("compact", *match.span())
            found.append(FoundPromise(rule.kind, n, text[start:end]))  # verbatim, as said
    return found


_DAYS_IN = {"天": 1, "个月": 30, "月": 30, "年": 365}


def _days(groups: dict[str, str | None]) -> int | None:
    """A period as days: 半年 180, 3个月 90, 1年 365."""
    if groups.get("half"):
        return 180
    n, unit = groups.get("n"), groups.get("unit")
    return number(n) * _DAYS_IN[unit] if n and unit else None


def payment_hint(text: str) -> OffPlatformPayment | None:
    compact = normaliser()(text).compact
    for payment, words in rules().payment_hints.items():
        if any(normaliser().term(word) in compact for word in words):
            return payment
    return None


_SAID = {EventKind.utterance: RecordSource.utterance, EventKind.chat: RecordSource.chat}


@dataclass
class Gathered:
    """What the records say: links to show and cite, facts with their sources."""

    links: list[CaseLink] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    promises: list[dict[str, Any]] = field(default_factory=list)
    on_show: live_service.LiveEvent | None = None  # the listing_shown event current at the moment
    listing_id: int | None = None  # the listing complained of: given, or on show then

    def fact(self, name: str, value: Any, source: str, ref: str, ledger_seq: int | None) -> None:
        if name not in self.facts:  # the first record to settle a fact is the one cited
            self.facts[name] = value
            self.sources[name] = {"source": source, "ref": ref, "ledger_seq": ledger_seq}


def _window(
    live_session: live_service.LiveSession, at: datetime | None
) -> tuple[datetime, datetime]:
    if at is None:
        return live_session.started_at, live_session.ended_at or datetime.max.replace(tzinfo=CHINA)
    reach = timedelta(minutes=rules().window_minutes)
    return at - reach, at + reach


def _diversion(gathered: Gathered, events: list[tuple[live_service.LiveEvent, list[Seen]]]) -> None:
    """Who led the buyer off the platform, and how, as the stored findings show it: the
    speaker of a diversion finding says who; the words, or a payment QR code on screen,
    say how."""
    settings = rules()
    for event, seen in events:
        hits = [s for s in seen if s.category in settings.diversion_categories]
        if not hits:
            continue
        ref = linking.event_ref(event)
        if event.kind is EventKind.frame:
            for hit in hits:
                paid = settings.qr_payments.get(str(hit.evidence.get("kind")))
                if paid is not None:
                    gathered.fact("off_platform_payment", paid, "recorded", ref, hit.ledger_seq)
            continue
        if event.speaker_role is None or event.speaker_role.value == "viewer":
            continue
        seq = hits[0].ledger_seq if hits[0].ledger_seq is not None else event.ledger_seq
        hint = payment_hint(event.text or "")
        if hint is not None:
            gathered.fact("off_platform_payment", hint, "recorded", ref, seq)
        diverter = settings.diverted_by_role.get(event.speaker_role.value)
        if diverter is not None:
            gathered.fact("diverted_by", diverter, "recorded", ref, seq)


def _promises(
    gathered: Gathered,
    text: str,
    source: RecordSource,
    ref: str,
    seq: int | None,
    at: datetime | None,
    speaker: str | None = None,
) -> None:
    for promise in find_promises(text):
        entry: dict[str, Any] = {
            "text": promise.quote,
            "kind": promise.kind,
            "recorded": {
                "source": source,
                "ledger_seq": seq,
                "ref": ref,
                "at": at.isoformat() if at else None,
            },
        }
        if speaker is not None:
            entry["speaker"] = speaker
        if promise.kind in (PromiseKind.return_days, PromiseKind.replace_within):
            entry["days"] = promise.n
        elif promise.n is not None:
            entry["multiple"] = promise.n
        gathered.promises.append(entry)


def _parties(
    db_session: Session,
    gathered: Gathered,
    merchant_id: int | None,
    anchor_id: int | None,
    platform_id: int | None,
    ref: str,
    day: date | None,
) -> None:
    names: dict[str, str] = {}
    if platform_id is not None:
        platform = parties_service.get_platform(db_session=db_session, platform_id=platform_id)
        names["platform"] = platform.operator_name
    merchant = anchor = None
    if merchant_id is not None:
        merchant = parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
        names["seller"] = merchant.name
        # A shop the platform reviewed and approved has its licence, address and contact
        # on file (电子商务法 art. 27); suspension later does not erase them.
        gathered.fact(
            "platform_can_identify_seller",
            merchant.status in (PartyStatus.active, PartyStatus.suspended),
            "parties",
            f"merchant:{merchant.id}",
            None,
        )
        gathered.fact(
            "platform_self_operated",
            merchant.self_operated,
            "parties",
            f"merchant:{merchant.id}",
            None,
        )
    if anchor_id is not None:
        anchor = parties_service.get_anchor(db_session=db_session, anchor_id=anchor_id)
        names["anchor"] = anchor.nickname
    if merchant is not None and anchor is not None:
        _room(db_session, gathered, merchant, anchor, names, day)
    if names:
        gathered.fact("names", names, "parties", ref, None)


def _room(
    db_session: Session,
    gathered: Gathered,
    merchant: Any,
    anchor: Any,
    names: dict[str, str],
    day: date | None,
) -> None:
    """Who ran the room and what the anchor was, where the parties' relations on the day
    say it (SPC online art. 11-12 turn on who opened the room): the store's own employee
    on camera is the store's room; an anchor signed to an MCN the store contracted is the
    MCN's room; an anchor promoting the store's goods in their own name runs their own
    room, as endorser. When the relations are silent the consumer is asked."""

    def current(relation: Any) -> bool:
        return day is None or (
            relation.starts_on <= day and (relation.ends_on is None or relation.ends_on >= day)
        )

    relations = [
        r
        for r in parties_service.get_relations(db_session=db_session, anchor_id=anchor.id)
        if current(r)
    ]
    with_store = {r.kind: r for r in relations if r.merchant_id == merchant.id}
    mcn_ids = {r.mcn_id for r in relations if r.kind is RelationKind.signed_with_mcn}
    serving = [
        r
        for r in parties_service.get_relations(db_session=db_session, merchant_id=merchant.id)
        if current(r) and r.kind is RelationKind.mcn_serves_merchant and r.mcn_id in mcn_ids
    ]
    staff = with_store.get(RelationKind.staff_of_merchant)
    promotes = with_store.get(RelationKind.sells_for_merchant)
    if staff is not None:
        ref = f"relation:{staff.id}"
        gathered.fact("room_operator", RoomOperator.merchant, "parties", ref, None)
        gathered.fact("anchor_role", AnchorRole.staff, "parties", ref, None)
        names["room_operator"] = merchant.name
        return
    if promotes is not None:  # recorded as promoting this merchant's goods in its own name
        ref = f"relation:{promotes.id}"
        gathered.fact("anchor_role", AnchorRole.endorser, "parties", ref, None)
    if serving:
        mcn_id = serving[0].mcn_id
        assert mcn_id is not None  # serving lists only relations whose MCN is the anchor's
        mcn = parties_service.get_mcn(db_session=db_session, mcn_id=mcn_id)
        ref = f"relation:{serving[0].id}"
        names["mcn"] = names["room_operator"] = mcn.name
        gathered.fact("mcn_runs_anchor", True, "parties", ref, None)
        gathered.fact("room_operator", RoomOperator.mcn, "parties", ref, None)
    elif promotes is not None:
        names["room_operator"] = anchor.nickname
        gathered.fact("room_operator", RoomOperator.anchor, "parties", ref, None)


def _listing_on_show(
    db_session: Session, shown: live_service.LiveEvent, merchant_id: int
) -> int | None:
    """The merchant's listing the room had on show: by id when the event names it, else
    by its exact title (rooms announce the title they show)."""
    data = shown.data or {}
    listing_id = data.get("listing_id")
    if isinstance(listing_id, int):
        return listing_id
    title = data.get("listing_title")
    matches = [
        listing.id
        for listing in catalog_service.get_all(db_session=db_session, merchant_id=merchant_id)
        if title and listing.title == title
    ]
    return matches[0] if len(matches) == 1 else None


def gather(
    *,
    db_session: Session,
    session_id: int | None,
    occurred_at: datetime | None,
    listing_id: int | None,
    merchant_id: int | None,
    anchor_id: int | None,
    platform_id: int | None,
) -> Gathered:
    """Link the session, its words and findings, and the listing; derive what they settle."""
    gathered = Gathered()
    day = occurred_at.astimezone(CHINA).date() if occurred_at else None
    if session_id is not None:
        live_session = live_service.get(db_session=db_session, session_id=session_id)
        day = (occurred_at or live_session.started_at).astimezone(CHINA).date()
        gathered.links.append(
            CaseLink(
                kind="session",
                ref=f"session:{live_session.id}",
                summary=f"{live_session.room_code} {live_session.title}",
                data={"started_at": live_session.started_at.isoformat()},
            )
        )
        start, end = _window(live_session, occurred_at)
        linked = linking.link_session(
            db_session=db_session, live_session=live_session, start=start, end=end
        )
        gathered.links += linked.links
        gathered.on_show = linked.on_show
        _diversion(gathered, linked.events)
        for event, _ in linked.events:
            if event.kind in _SAID and event.speaker_role not in (None, SpeakerRole.viewer):
                _promises(
                    gathered,
                    event.text or "",
                    _SAID[event.kind],
                    linking.event_ref(event),
                    event.ledger_seq,
                    event.occurred_at,
                    event.speaker_role.value if event.speaker_role else None,
                )
    if listing_id is None and gathered.on_show is not None and merchant_id is not None:
        listing_id = _listing_on_show(db_session, gathered.on_show, merchant_id)
    gathered.listing_id = listing_id
    if listing_id is not None:
        listing = catalog_service.get(db_session=db_session, listing_id=listing_id)
        for version in catalog_service.get_versions(db_session=db_session, listing_id=listing.id):
            ref = f"listing:{listing.id}/v{version.version}"
            gathered.links.append(
                CaseLink(
                    kind="listing_version",
                    ref=ref,
                    ledger_seq=version.ledger_seq,
                    summary=f"{version.title} ¥{version.price_fen / 100:.2f}",
                    data={"category": version.category, "label": version.label},
                )
            )
            text = " ".join([version.title, version.description, version.store_terms])
            _promises(
                gathered,
                text,
                RecordSource.listing_version,
                ref,
                version.ledger_seq,
                version.created_at,
            )
        terms = catalog_service.standard_terms_of(db_session=db_session, listing_id=listing.id)
        if terms:  # "售出概不退换" on the listing: void, whether or not the buyer mentions it
            gathered.fact("standard_terms", terms, "listing", f"listing:{listing.id}", None)
        known = rules().categories.get(listing.category)
        if known is not None:
            ref = f"listing:{listing.id}"
            gathered.fact("category", known.category, "listing", ref, None)
            gathered.fact("concerns_life_health", known.life_health, "listing", ref, None)
    _parties(
        db_session,
        gathered,
        merchant_id,
        anchor_id,
        platform_id,
        f"merchant:{merchant_id}" if merchant_id else "parties",
        day,
    )
    if gathered.promises:
        _who_promised(gathered)
        gathered.fact("promises", gathered.promises, "recorded", "promises", None)
    return gathered


def _who_promised(gathered: Gathered) -> None:
    """A promise binds who made it: "有问题找直播间负责" said in a room the anchor or an MCN
    runs is the room's own; the listing's words, and the store's own room, are the seller's;
    other words said by an anchor are the seller's terms unless the consumer says otherwise."""
    room = gathered.facts.get("room_operator")
    for entry in gathered.promises:
        speaker = entry.pop("speaker", None)
        own_room = room in (RoomOperator.anchor, RoomOperator.mcn)
        # an anchor relaying terms (假一赔十, 七天无理由) speaks for the seller; "有问题找直播间"
        # is the room's own undertaking
        if own_room and speaker and entry["kind"] is PromiseKind.room_answers:
            entry["made_by"] = PromiseMaker.room_operator
        elif speaker is None or room is RoomOperator.merchant:
            entry["made_by"] = PromiseMaker.seller
        # else: who ran the room is not known, so neither is whom the promise binds


def off_platform_channel(gathered: Gathered) -> bool:
    """Did the recording show the seller's side asking for payment outside the platform?"""
    return "diverted_by" in gathered.facts or "off_platform_payment" in gathered.facts
