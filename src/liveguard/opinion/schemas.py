"""API shapes for posts, their classification, trends and spike alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from liveguard import refusals
from liveguard.bounds import Day, Moment
from liveguard.opinion.enums import AlertStatus, Category, PartyKind, SubjectKind

MAX_TEXT = 5000  # a long complaint is a few hundred characters; a page of text is enough

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PostText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
]
Link = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class PostCreate(BaseModel):
    """One post, review or complaint from outside."""

    model_config = ConfigDict(extra="forbid")

    source: Source = Field(description="where it was read: weibo, heimao, 12315, review, ...")
    posted_at: Moment = Field(description="when it was posted, with its time zone")
    text: PostText
    author: Short | None = None
    links: list[Link] = Field(default_factory=list, max_length=20)
    platform: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    external_id: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
        | None
    ) = Field(default=None, description="the source's own id: the same id is imported once")

    @field_validator("links")
    @classmethod
    def _links_are_urls(cls, links: list[str]) -> list[str]:
        for link in links:
            if not link.startswith(("http://", "https://")):
                said = refusals.sentence("opinion", "not_a_link", link=link)
                raise ValueError(f"{said}：{refusals.fix('opinion', 'not_a_link')}")
        return links


class MentionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    written: str
    kind: PartyKind
    party_id: int | None


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    external_id: str | None
    posted_at: datetime
    text: str
    author: str | None
    links: list[str]
    platform: str | None
    category: Category
    categories: list[Category]
    negative: bool
    sentiment: float
    model_version: str
    mentions: list[MentionRead]


class PostPage(BaseModel):
    items: list[PostRead]
    total: int
    offset: int
    limit: int


class Classified(BaseModel):
    """What the classifier says of one text (``liveguard opinion classify`` writes these)."""

    category: Category
    categories: list[Category]
    negative: bool
    sentiment: float = Field(ge=-1, le=1, description="-1 angry .. 0 neutral .. +1 pleased")
    scores: dict[str, float] = Field(default_factory=dict)


class ClassifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: PostText


class ClassifyOut(Classified):
    parties: list[MentionRead]


class RowError(BaseModel):
    line: int = Field(description="1-based line of the file (a CSV's header is line 1)")
    field: str
    message: str
    fix: str = ""


class ImportResult(BaseModel):
    created: list[int]
    skipped: int = Field(description="rows whose (source, external_id) was already imported")
    errors: list[RowError]


class DailyCount(BaseModel):
    """Posts of one category on one day (Beijing time)."""

    day: date
    category: Category
    negative: int
    total: int


class PartyDailyCount(BaseModel):
    day: date
    name: str
    kind: PartyKind
    party_id: int | None
    count: int


class PartyMention(BaseModel):
    """A party named in the period, and how many posts named it."""

    name: str
    kind: PartyKind
    party_id: int | None
    count: int


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    subject_kind: SubjectKind
    subject: str
    label: str
    count: int
    baseline: float
    threshold: float
    method: str
    status: AlertStatus
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    created_at: datetime


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Day = Field(description="the day (Beijing time) to look at")
