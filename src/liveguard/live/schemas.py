"""API shapes for live sessions and events: one event schema for HTTP, WebSocket and NATS."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_serializer,
    field_validator,
    model_validator,
)

# The enums an API shape carries, exported (``X as X``) for the web layer that fills them in.
from liveguard.bounds import Count, Id, Moment, PriceFen
from liveguard.live.enums import EventKind as EventKind
from liveguard.live.enums import FindingSpeaker, SpeakerRole

MAX_FRAME_BYTES = 4 * 1024 * 1024  # a 720p JPEG is ~100-300 KB; a PNG a few MB at most
FRAME_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform_id: Id
    room_code: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=300)
    anchor_id: Id
    merchant_id: Id
    started_at: Moment
    ended_at: Moment | None = None
    peak_viewers: Count = 0

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionCreate:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        return self


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    platform_id: Id
    room_code: str
    title: str
    anchor_id: Id
    merchant_id: Id
    started_at: datetime
    ended_at: datetime | None
    peak_viewers: int
    suspended_at: datetime | None = None


# --- events in ---------------------------------------------------------------------------


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=100, description="the sender's own id")
    occurred_at: Moment


class UtteranceData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_ms: Count = Field(description="from the start of the stream")
    end_ms: Count

    @model_validator(mode="after")
    def _ordered(self) -> UtteranceData:
        if self.end_ms < self.start_ms:
            raise ValueError("end_ms is before start_ms")
        return self


class UtteranceIn(_Event):
    kind: Literal[EventKind.utterance]
    speaker_role: SpeakerRole
    text: str = Field(min_length=1, max_length=5000)
    data: UtteranceData


class ChatData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str | None = Field(default=None, max_length=100, description="a pseudonym, never a name")


class ChatIn(_Event):
    kind: Literal[EventKind.chat]
    speaker_role: SpeakerRole = SpeakerRole.viewer
    text: str = Field(min_length=1, max_length=5000)
    data: ChatData = Field(default_factory=ChatData)


class FrameData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image_base64: str = Field(description="the PNG or JPEG bytes, base64")
    mime: Literal["image/png", "image/jpeg"]

    def image(self) -> bytes:
        try:
            raw = base64.b64decode(self.image_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("image_base64 is not base64") from None
        if len(raw) > MAX_FRAME_BYTES:
            raise ValueError(f"the image is {len(raw):,} bytes; the limit is {MAX_FRAME_BYTES:,}")
        if not raw.startswith(FRAME_MAGIC[self.mime]):
            raise ValueError(f"the bytes are not a {self.mime} image")
        return raw

    @model_validator(mode="after")
    def _decodes(self) -> FrameData:
        self.image()
        return self


class FrameIn(_Event):
    kind: Literal[EventKind.frame]
    data: FrameData


class ListingRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: Id


class ListingChanges(BaseModel):
    """The fields a platform may change on a listing during a stream (money in fen)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = None
    price_fen: PriceFen | None = None
    original_price_fen: PriceFen | None = None
    shipping_fee_fen: PriceFen | None = None
    stock: Count | None = None


class ListingChangeData(ListingRef):
    changes: ListingChanges

    @field_validator("changes")
    @classmethod
    def _something(cls, changes: ListingChanges) -> ListingChanges:
        if not changes.model_dump(exclude_unset=True):
            raise ValueError("changes is empty: name at least one changed field")
        return changes


class ListingShownIn(_Event):
    kind: Literal[EventKind.listing_shown, EventKind.listing_removed]
    data: ListingRef


class ListingChangedIn(_Event):
    kind: Literal[EventKind.listing_changed]
    data: ListingChangeData


Account = Annotated[str, Field(min_length=1, max_length=100, description="a pseudonym")]


class CountersData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    viewers: Count | None = None
    likes: Count | None = None
    stock: Count | None = None
    sales: Count | None = None
    listing_id: Id | None = Field(default=None, description="whose stock and sales")
    clicks: Count | None = Field(default=None, description="product clicks so far (a counter)")
    likers: list[Account] | None = Field(
        default=None,
        max_length=500,
        description="pseudonyms of the accounts that liked since the last counters event",
    )

    @model_validator(mode="after")
    def _something(self) -> CountersData:
        counts = (self.viewers, self.likes, self.stock, self.sales, self.clicks, self.likers)
        if all(v is None for v in counts):
            raise ValueError("send at least one of viewers, likes, stock, sales, clicks, likers")
        return self


class CountersIn(_Event):
    kind: Literal[EventKind.counters]
    data: CountersData


class OrderData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=100)
    listing_id: Id | None = None
    quantity: Count = Field(default=1, gt=0)
    amount_fen: PriceFen
    buyer: Account | None = Field(default=None, description="the buyer's pseudonym")
    buyer_created_at: Moment | None = Field(
        default=None, description="when the buyer's account was created, if the platform says"
    )

    @field_serializer("buyer_created_at")
    def _as_text(self, moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None


class OrderIn(_Event):
    kind: Literal[EventKind.order]
    data: OrderData


EventIn = Annotated[
    UtteranceIn | ChatIn | FrameIn | ListingShownIn | ListingChangedIn | CountersIn | OrderIn,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(EventIn)


# --- what an ingest answers --------------------------------------------------------------


class Accepted(BaseModel):
    index: int
    event_id: str
    seq: int
    duplicate: bool = Field(description="already stored: sent before, acknowledged again")
    findings: int


class Refused(BaseModel):
    index: int
    event_id: str | None
    reason: str = Field(description="a stable code, e.g. unknown_kind, malformed")
    detail: str


class IngestRead(BaseModel):
    accepted: list[Accepted]
    refused: list[Refused]


class RefusalCount(BaseModel):
    reason: str
    count: int


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    seq: int
    event_id: str | None
    kind: EventKind
    occurred_at: datetime
    speaker_role: SpeakerRole | None
    text: str | None
    data: dict[str, Any]
    ledger_seq: int | None


# --- what staff see ----------------------------------------------------------------------


class FindingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    speaker_role: FindingSpeaker = Field(
        description="who produced it: the speaker of speech or chat, or room (frames, "
        "listing changes, counters: the seller's side)"
    )
    source: str
    rule: str
    category: str
    severity: str
    message: str
    start: int
    end: int
    quote: str
    legal_basis: list[dict[str, Any]]
    evidence: dict[str, Any]
    listing_id: int | None
    status: str
    ledger_seq: int | None


class TimelineEvent(EventRead):
    listing_id: int | None = Field(description="the listing on show when it happened")
    findings: list[FindingRead]


class RoomRead(BaseModel):
    session: SessionRead
    status: str = Field(description="live, suspended or ended")
    risk_score: float = Field(description="0-100; see live.service.risk_score")
    open_findings: int


class TimelineRead(BaseModel):
    room: RoomRead
    last_seq: int
    last_action_id: int
    events: list[TimelineEvent]
    actions: list[dict[str, Any]]  # enforcement ActionRead, as JSON


# --- the room's real picture (S11) -----------------------------------------------------------


class NamedParty(BaseModel):
    role: str = Field(description="anchor, merchant or mcn")
    id: int
    name: str


class Controllers(BaseModel):
    """Who controlled the room's numbers, and why the facts point at them."""

    named: list[NamedParty]
    reason: str


class MinuteRead(BaseModel):
    start: datetime
    viewers: int
    likes: int
    clicks: int
    chats: int
    orders: int
    order_fen: int


class SignalRead(BaseModel):
    rule: str
    severity: str
    message: str
    evidence: dict[str, Any]


class RoomPictureRead(BaseModel):
    """A room minute by minute, against what is typical for its category."""

    session_id: int
    merchant_id: int
    anchor_id: int
    title: str
    category: str | None
    minutes: list[MinuteRead]
    mean_viewers: int
    peak_viewers: int
    chats: int
    orders: int
    order_fen: int
    conversion_per_mille: str = Field(description="orders per thousand viewers, a decimal")
    typical_conversion_per_mille: int
    signals: list[SignalRead]
    controllers: Controllers
    findings: int = Field(description="bought-traffic findings stored for the room")
    finding_ledger_seqs: list[int]


class PartitionStatus(BaseModel):
    """One partition of the event stream as JetStream and the workers see it now."""

    partition: int
    subject: str = Field(description="the partition's subjects, e.g. liveguard.events.*.3")
    consumer: str = Field(description="its durable consumer (monitor-<k>)")
    exists: bool = Field(description="false until a worker has created the consumer")
    backlog: int = Field(description="messages in the stream not yet handed to a worker")
    unacked: int = Field(description="handed to a worker, not yet acknowledged")
    redelivered: int = Field(description="handed out again after an ack wait ran out")
    holder: str | None = Field(description="the worker that stored its last batch")
    held_at: datetime | None = Field(description="when that worker last stored a batch there")


class BusStatus(BaseModel):
    """The NATS event bus: the stream and each partition's backlog and holder."""

    reachable: bool
    error: str | None = None
    stream: str
    messages: int = 0
    bytes: int = 0
    partitions: list[PartitionStatus] = Field(default_factory=list)

    @property
    def lag(self) -> int:
        """Messages waiting or in flight, over every partition."""
        return sum(p.backlog + p.unacked for p in self.partitions)
