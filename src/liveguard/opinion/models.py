"""Posts from outside (reviews, complaints, social posts), the parties each names, and
the spike alerts raised on them. A post's classification is stored with it, with the
model's version, so a report says what the model said at the time."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import JSON

from liveguard.db import Base, TimestampMixin
from liveguard.opinion.enums import AlertStatus, PartyKind, SubjectKind


def _enum(cls: type[StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class Post(TimestampMixin, Base):
    __tablename__ = "opinion_posts"
    # a source's own id, when it has one, is imported once
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # weibo, heimao, 12315, review...
    external_id: Mapped[str | None] = mapped_column(String(120))
    posted_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(100))
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    platform: Mapped[str | None] = mapped_column(String(60))  # as the source names it
    # the classification: the main category, every category above its threshold
    category: Mapped[str] = mapped_column(String(40), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    negative: Mapped[bool] = mapped_column(default=False)
    sentiment: Mapped[float] = mapped_column(Float, default=0.0)  # -1 angry .. +1 happy
    model_version: Mapped[str] = mapped_column(String(40))

    mentions: Mapped[list[Mention]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="Mention.id"
    )


class Mention(Base):
    """A party a post names: as written, its kind, and LiveGuard's record when it matched."""

    __tablename__ = "opinion_mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("opinion_posts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # LiveGuard's name when linked
    written: Mapped[str] = mapped_column(String(200))  # the form in the post
    kind: Mapped[PartyKind] = mapped_column(_enum(PartyKind))
    party_id: Mapped[int | None]  # platforms.id / merchants.id / anchors.id by kind

    post: Mapped[Post] = relationship(back_populates="mentions")


class SpikeAlert(TimestampMixin, Base):
    """A category or a party named far above its own baseline on a day."""

    __tablename__ = "opinion_alerts"
    __table_args__ = (UniqueConstraint("day", "subject_kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    subject_kind: Mapped[SubjectKind] = mapped_column(_enum(SubjectKind))
    subject: Mapped[str] = mapped_column(String(200))  # a category id, or "kind:name"
    label: Mapped[str] = mapped_column(String(200))  # what a person reads
    count: Mapped[int]
    baseline: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(200))
    status: Mapped[AlertStatus] = mapped_column(_enum(AlertStatus), default=AlertStatus.open)
    acknowledged_by: Mapped[str | None] = mapped_column(String(60))
    acknowledged_at: Mapped[datetime | None]
