"""The demo's public posts: a 618 promotion (1-20 June) and the fortnight before it,
stored through the opinion service (classified, parties linked) and scanned for spikes
day by day, as a daily feed would be."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from pydantic import Field
from sqlalchemy.orm import Session

from liveguard import datafiles
from liveguard.clock import CHINA
from liveguard.opinion import service as opinion_service
from liveguard.opinion.schemas import PostCreate


class DemoPost(datafiles.Strict):
    days: list[int] = Field(min_length=2, max_length=2)
    times: int = Field(ge=1, le=50)
    platform: str
    text: str


class DemoPosts(datafiles.Strict):
    year_of_june: str
    sources: list[str]
    endings: list[str]
    posts: list[DemoPost]


def promotion_year(today: date) -> int:
    """The year of the last June promotion (1-20 June) that has ended by ``today``."""
    return today.year if today >= date(today.year, 6, 21) else today.year - 1


def load(db: Session, today: date) -> None:
    spec = datafiles.load("liveguard.cli", "demo_posts.yaml", DemoPosts)
    may_31 = date(promotion_year(today), 5, 31)
    rng = random.Random(618)
    posts: list[PostCreate] = []
    for item in spec.posts:
        for _ in range(item.times):
            day = may_31 + timedelta(days=rng.randint(item.days[0], item.days[1]))
            at = datetime.combine(day, time(rng.randint(8, 23), rng.randint(0, 59)), CHINA)
            source = rng.choice(spec.sources)
            posts.append(
                PostCreate(
                    source=source,
                    external_id=f"demo-{len(posts) + 1}",
                    posted_at=at,
                    text=item.text + rng.choice(spec.endings),
                    author=f"用户{rng.randint(1000, 9999)}",
                    links=[f"https://{source}.example/p/{len(posts) + 1}"],
                    platform=item.platform,
                )
            )
    posts.sort(key=lambda p: p.posted_at)
    opinion_service.create_many(db_session=db, posts_in=posts)
    first = may_31 + timedelta(days=min(item.days[0] for item in spec.posts))
    days = {
        first + timedelta(days=n) for n in range((may_31 + timedelta(days=20) - first).days + 1)
    }
    opinion_service.scan_days(db_session=db, days=days)
