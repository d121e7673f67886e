"""Load the demo data set through the same services (and checks) as real input."""

from __future__ import annotations

import base64
import io
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from liveguard import datafiles
from liveguard.blobs import BlobStore, make_blob_store
from liveguard.catalog import service as catalog_service
from liveguard.catalog.schemas import ListingCreate
from liveguard.cli import (
    demo_consumer,
    demo_credit,
    demo_integrity,
    demo_liability,
    demo_opinion,
    demo_orders,
    demo_privacy,
    demo_reports,
    demo_s7_s11,
)
from liveguard.clock import CHINA, Clock
from liveguard.config import Settings
from liveguard.db import make_engine, make_session_factory, transaction
from liveguard.evidence import service as ledger
from liveguard.evidence.signing import Signer
from liveguard.live import ingest
from liveguard.live import service as live_service
from liveguard.live.schemas import SessionCreate
from liveguard.parties import deposits, reviews
from liveguard.parties import service as parties_service
from liveguard.parties.enums import Decision, MovementKind, OwnerKind
from liveguard.parties.schemas import (
    AnchorCreate,
    ConsumerCreate,
    DepositMovementCreate,
    DocumentMeta,
    McnCreate,
    MerchantCreate,
    PlatformCreate,
    RelationCreate,
    ReviewIn,
    StaffCreate,
)
from liveguard.privacy import service as privacy_service
from liveguard.privacy.fields import FieldCipher

DEMO_ACTOR = "compliance"


def _spec() -> dict[str, Any]:
    document = datafiles.read(datafiles.shipped_bytes("liveguard.cli", "demo.yaml"), "demo.yaml")
    spec: dict[str, Any] = document.data
    return spec


# The console prints these so a visitor can sign in; they exist only in the demo.
DEMO_STAFF = [(s["username"], s["role"], s["password"]) for s in _spec()["staff"]]


def _scan(title: str) -> bytes:
    """A one-page PDF standing in for a scanned document."""
    safe = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 50 780 Td (LiveGuard demo scan: {safe}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
        + f"4 0 obj<</Length {len(stream)}>>stream\n".encode()
        + stream
        + b"\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _days(today: date, offset: int | None) -> date | None:
    return None if offset is None else today + timedelta(days=offset)


def load(settings: Settings, *, clock: Clock | None = None) -> bool:
    """Load the demo set once; returns False when it is already there."""
    engine = make_engine(settings.database_url)
    cipher = FieldCipher.from_key_dir(settings.key_dir)
    try:
        with transaction(
            make_session_factory(engine, info=privacy_service.session_info(cipher))
        ) as db_session:
            if parties_service.get_platform_by_code(db_session=db_session, code="xinghe"):
                return False
            _load(
                db_session,
                cipher,
                make_blob_store(
                    settings.blob_url, settings.blob_dir, endpoint_url=settings.s3_endpoint
                ),
                (clock or Clock()).today(),
            )
            # The session's events went into the ledger as they were recorded; sign it.
            ledger.issue_checkpoint(
                db_session=db_session,
                signer=Signer.from_key_dir(settings.key_dir, witness=settings.checkpoint_log),
                origin=settings.checkpoint_origin,
            )
            return True
    finally:
        engine.dispose()


def _load(db: Session, cipher: FieldCipher, blobs: BlobStore, today: date) -> None:
    spec = _spec()
    ids: dict[str, dict[str, int]] = {k: {} for k in ("platform", "merchant", "anchor", "mcn")}
    for item in spec["staff"]:
        parties_service.create_staff(db_session=db, staff_in=StaffCreate(**item))
    for item in spec["platforms"]:
        data = {k: v for k, v in item.items() if k != "key"}
        platform = parties_service.create_platform(
            db_session=db, platform_in=PlatformCreate(**data)
        )
        ids["platform"][item["key"]] = platform.id

    for item in spec["merchants"]:
        onboarded = today - timedelta(days=item["registered_days_ago"])
        merchant = parties_service.create_merchant(
            db_session=db,
            cipher=cipher,
            today=onboarded,
            merchant_in=MerchantCreate(
                platform_id=ids["platform"][item["platform"]],
                licence_valid_from=_days(today, item["licence"]["from_days"]),
                licence_valid_to=_days(today, item["licence"]["to_days"]),
                **{
                    k: item[k]
                    for k in (
                        "name",
                        "shop_name",
                        "credit_code",
                        "legal_representative",
                        "address",
                        "contact_phone",
                        "categories",
                    )
                },
            ),
        )
        ids["merchant"][item["key"]] = merchant.id
        for doc in item.get("documents", []):
            document = reviews.add_document(
                db_session=db,
                blobs=blobs,
                today=today,
                meta=DocumentMeta(
                    owner_kind=OwnerKind.merchant,
                    owner_id=merchant.id,
                    doc_type=doc["doc_type"],
                    number=doc["number"],
                    issuer=doc["issuer"],
                    valid_from=_days(today, doc["from_days"]),
                    valid_to=_days(today, doc["to_days"]),
                ),
                content=_scan(f"{doc['doc_type']} {doc['number']}"),
                file_name=f"{doc['doc_type']}.pdf",
                content_type="application/pdf",
            )
            if doc.get("decision"):
                reviews.review_document(
                    db_session=db,
                    document=document,
                    actor=DEMO_ACTOR,
                    review=ReviewIn(decision=Decision(doc["decision"])),
                )
        if item.get("decision"):
            reviews.review_merchant(
                db_session=db,
                merchant=merchant,
                actor=DEMO_ACTOR,
                today=onboarded,
                review=ReviewIn(decision=Decision(item["decision"])),
            )
        if item.get("deposit_fen"):
            deposits.record_movement(
                db_session=db,
                merchant=merchant,
                actor=DEMO_ACTOR,
                movement_in=DepositMovementCreate(
                    kind=MovementKind.pay_in,
                    amount_fen=item["deposit_fen"],
                    reason="onboarding deposit",
                ),
            )

    for item in spec["mcns"]:
        mcn = parties_service.create_mcn(
            db_session=db, mcn_in=McnCreate(name=item["name"], credit_code=item["credit_code"])
        )
        ids["mcn"][item["key"]] = mcn.id
    for item in spec["anchors"]:
        anchor = parties_service.create_anchor(
            db_session=db,
            cipher=cipher,
            anchor_in=AnchorCreate(
                platform_id=ids["platform"][item["platform"]],
                nickname=item["nickname"],
                real_name=item["real_name"],
                id_number=item["id_number"],
            ),
        )
        ids["anchor"][item["key"]] = anchor.id
        if item.get("decision"):
            reviews.review_anchor(
                db_session=db,
                anchor=anchor,
                actor=DEMO_ACTOR,
                today=today,
                review=ReviewIn(decision=Decision(item["decision"])),
            )
    for item in spec["relations"]:
        parties_service.create_relation(
            db_session=db,
            relation_in=RelationCreate(
                kind=item["kind"],
                anchor_id=ids["anchor"].get(item.get("anchor", "")),
                mcn_id=ids["mcn"].get(item.get("mcn", "")),
                merchant_id=ids["merchant"].get(item.get("merchant", "")),
                starts_on=_days(today, item["starts_days"]),
                contract_ref=item.get("contract_ref"),
            ),
        )
    consumers: dict[str, int] = {}
    for item in spec["consumers"]:
        consumer = parties_service.create_consumer(
            db_session=db, cipher=cipher, consumer_in=ConsumerCreate(**item)
        )
        consumers[consumer.nickname] = consumer.id
    sessions = []  # their events go in once the listings they show exist
    sessions_by_key: dict[str, Any] = {}
    for item in spec["sessions"]:
        day = today - timedelta(days=item["start"]["days_ago"])
        started = datetime.combine(day, time.fromisoformat(item["start"]["at"]), CHINA)
        live_session = live_service.create(
            db_session=db,
            session_in=SessionCreate(
                platform_id=ids["platform"][item["platform"]],
                room_code=item["room_code"],
                title=item["title"],
                anchor_id=ids["anchor"][item["anchor"]],
                merchant_id=ids["merchant"][item["merchant"]],
                started_at=started,
                ended_at=started + timedelta(minutes=item["minutes"]),
                peak_viewers=item["peak_viewers"],
            ),
        )
        sessions.append((live_session, started, item))
        sessions_by_key[item["key"]] = live_session
    # Each listing is reviewed as it is stored: the S3 "1 cent, 999 yuan shipping" item is
    # refused with its reasons, as it would be in production. Stored after the sessions so
    # the live room's ledger items keep their numbers (0-8).
    listed_at = datetime.combine(today, time(0, 0), CHINA)  # never ahead of the clock
    for item in spec["listings"]:
        data = {k: v for k, v in item.items() if k != "merchant"}
        label = dict(data.get("label", {}))
        if "produced_days_ago" in label:  # a production date that stays in the past
            days = int(label.pop("produced_days_ago"))
            label["production_date"] = (today - timedelta(days=days)).isoformat()
            data["label"] = label
        catalog_service.create(
            db_session=db,
            now=listed_at,
            actor=DEMO_ACTOR,
            listing_in=ListingCreate(merchant_id=ids["merchant"][item["merchant"]], **data),
        )

    # The rooms' events go through the monitor as a platform's would: findings, the
    # anchor warned, the viewers' banner, all in the ledger after the listings.
    listings = {(x.merchant_id, x.title): x.id for x in catalog_service.get_all(db_session=db)}
    for live_session, started, item in sessions:
        events = []
        for n, e in enumerate(item["events"]):
            event = {k: v for k, v in e.items() if k != "at"}
            data = dict(event.get("data", {}))
            if "listing_title" in data:
                data = {"listing_id": listings[(live_session.merchant_id, data["listing_title"])]}
            if "qr_frame" in data:
                data = {"image_base64": _qr_frame(data["qr_frame"]), "mime": "image/png"}
            at = started + timedelta(seconds=e["at"])
            events.append({**event, "data": data, "event_id": f"{item['key']}-{n}"})
            events[-1]["occurred_at"] = at.isoformat()
            if event["kind"] == "utterance":
                events[-1]["data"] = {"start_ms": e["at"] * 1000, "end_ms": e["at"] * 1000 + 4000}
        # each event as it happens, so every action carries the moment it was taken
        for event in events:
            outcome = ingest.ingest(
                db_session=db,
                live_session=live_session,
                raw_events=[event],
                channel="demo",
                blobs=blobs,
                now=datetime.fromisoformat(event["occurred_at"]),
            )
            if outcome.refused:
                raise ValueError(f"demo events refused: {outcome.refused}")

    # The licence that lapsed since onboarding is caught the way it would be in production.
    reviews.reverify(db_session=db, today=today)
    _complaints(db, spec, sessions_by_key, consumers, today)
    demo_orders.load(db, spec, cipher, ids["merchant"], consumers, today)
    demo_liability.load(db, consumers, today)
    demo_s7_s11.load(db, cipher, blobs, ids, today)
    demo_privacy.load(db, cipher, ids["merchant"], today)
    demo_integrity.load(db, cipher, ids["merchant"], today)
    demo_credit.load(db, cipher, blobs, ids, today)
    demo_opinion.load(db, today)
    demo_reports.load(db, ids, consumers, blobs, today)  # last: its report counts the rest
    demo_consumer.load(db, ids["merchant"], today)  # listings on sale for the buyer's pages


def _complaints(
    db: Session,
    spec: dict[str, Any],
    sessions: dict[str, Any],
    consumers: dict[str, int],
    today: date,
) -> None:
    """The demo's complaints, filed through the cases flow as a consumer would file them."""
    from liveguard.cases import flows as cases_flows
    from liveguard.cases.enums import CaseOrigin
    from liveguard.cases.schemas import ComplaintCreate

    for item in spec.get("complaints", []):
        live_session = sessions[item["session"]]
        at = live_session.started_at + timedelta(seconds=item["at"])
        data = {k: v for k, v in item.items() if k not in ("consumer", "session", "at")}
        cases_flows.file_complaint(
            db_session=db,
            complaint_in=ComplaintCreate(session_id=live_session.id, occurred_at=at, **data),
            consumer_id=consumers[item["consumer"]],
            origin=CaseOrigin.consumer,
            actor=f"consumer:{consumers[item['consumer']]}",
            now=datetime.combine(today, time(0, 0), CHINA),  # never ahead of the clock
            today=today,
        )


def _qr_frame(payload: str) -> str:
    """A 720p studio frame with the QR code ``payload`` held up in it, as base64 PNG."""
    # Drawn with the libraries the frame reader already uses, so the demo ships no image.
    import zxingcpp
    from PIL import Image

    code = Image.fromarray(
        np.asarray(
            zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6)
        )
    )
    frame = Image.new("RGB", (1280, 720), (118, 92, 84))
    frame.paste(code.convert("RGB"), (880, 260))
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
