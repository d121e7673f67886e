"""API shapes for the ledger. Hashes travel as lowercase hex."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class RecordKind(StrEnum):
    utterance = "utterance"
    chat_message = "chat_message"
    frame = "frame"
    listing_version = "listing_version"
    counters = "counters"  # viewers, likes, stock, sales as the room showed them
    order = "order"
    finding = "finding"
    warning = "warning"
    action = "action"
    complaint = "complaint"
    document = "document"
    listing_decision = "listing_decision"  # a staff decision on a listing version
    listing_appeal = "listing_appeal"  # a merchant contesting a listing review
    sample_result = "sample_result"  # an item bought from a live room, tested
    credit_step = "credit_step"  # a step of a credit listing: proposal, notice, decision...
    report = "report"  # a published report: its PDF's SHA-256 and period


class RecordIn(BaseModel):
    """What happened, where, who was involved, and the SHA-256 of any file it refers to.

    Personal data does not belong here in clear: put a pseudonym or a hash in ``who``.
    """

    model_config = ConfigDict(extra="forbid")

    kind: RecordKind
    occurred_at: AwareDatetime
    where: dict[str, Any] = Field(default_factory=dict, description="platform, room, session")
    who: dict[str, Any] = Field(default_factory=dict, description="party ids and roles")
    data: dict[str, Any] = Field(default_factory=dict)
    blobs: dict[str, Sha256Hex] = Field(default_factory=dict, description="name -> SHA-256")
    subject: str | None = Field(
        default=None,
        max_length=100,
        description="whose personal data ``personal`` holds, e.g. consumer:12",
    )
    personal: dict[str, Any] | None = Field(
        default=None, description="personal fields: sealed under the subject's own key"
    )

    @model_validator(mode="after")
    def _personal_needs_subject(self) -> RecordIn:
        if self.personal and not self.subject:
            raise ValueError("personal fields need a subject: whose data is this?")
        return self


class ItemRead(BaseModel):
    seq: int
    kind: str
    recorded_at: datetime
    leaf_hash: str
    record: dict[str, Any]
    intact: bool = Field(description="the stored bytes still hash to the stored leaf hash")
    personal: dict[str, Any] | None = Field(
        default=None, description="the sealed personal fields, unless the subject was erased"
    )
    personal_erased: bool = False


class CheckpointRead(BaseModel):
    id: int
    origin: str
    tree_size: int
    root_hash: str
    issued_at: datetime
    key_id: str
    signature: str
    note: str = Field(description="the exact text that was signed")


class InclusionProofRead(BaseModel):
    seq: int
    tree_size: int
    leaf_hash: str
    path: list[str]


class ConsistencyProofRead(BaseModel):
    first: int
    second: int
    proof: list[str]


class PublicKeyRead(BaseModel):
    algorithm: str = "Ed25519"
    key_id: str
    public_key: str = Field(description="raw 32-byte public key, hex")
    fingerprint: str = Field(
        description="SHA-256 of the raw key, hex in groups of four: what `liveguard verify` "
        "prints for a person to compare"
    )
