"""The sign-in throttle: failed sign-ins per account and per address, counted in the
database so that every process serving the app shares them.

Each account and each address has a token bucket: ``burst`` failures may come at once,
then one more every ``refill``. Only failures take from it, so a person who types her
password right is never slowed; an empty bucket refuses sign-ins until it refills,
so nothing is ever locked for good. The bucket is stored as the one moment it will be
full again (the generic cell rate algorithm, which is the same bucket written as a time):
a failure moves that moment ``refill`` later, starting from now if it had passed.

A failure is recorded in its own transaction: the request's own is rolled back when the
sign-in fails, and the failure must not be forgotten with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from liveguard.auth.models import SignInBucket
from liveguard.db import table_of, transaction
from liveguard.errors import NotAuthenticated, TooManyAttempts


@dataclass(frozen=True)
class Allowance:
    """How many failures a bucket takes at once, and how often it gains one back."""

    burst: int
    refill: timedelta

    @property
    def refill_ms(self) -> int:
        return int(self.refill.total_seconds() * 1000)


# A person mistyping a password a few times goes through; a guesser gets one try a
# minute per account. An address (an office behind one NAT) may try more accounts.
PER_ACCOUNT = Allowance(burst=5, refill=timedelta(minutes=1))
PER_ADDRESS = Allowance(burst=20, refill=timedelta(seconds=15))


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def wait_seconds(
    *, db_session: Session, buckets: Sequence[tuple[str, Allowance]], now: datetime
) -> float:
    """Seconds until every bucket holds one failure's worth again; 0 if they do now."""
    keys = [key for key, _ in buckets]
    rows = db_session.execute(
        select(SignInBucket.key, SignInBucket.full_at_ms).where(SignInBucket.key.in_(keys))
    )
    full_at = {key: moment for key, moment in rows}
    now_ms = _ms(now)
    waits = [
        full_at[key] - now_ms - (allowance.burst - 1) * allowance.refill_ms
        for key, allowance in buckets
        if key in full_at
    ]
    return max([0, *waits]) / 1000


def spend(*, db_session: Session, buckets: Sequence[tuple[str, Allowance]], now: datetime) -> None:
    """Take one failure from each bucket, atomically on both backends (an upsert), and
    forget the buckets that have refilled."""
    now_ms = _ms(now)
    table = table_of(SignInBucket)
    dialect = db_session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for key, allowance in buckets:
        statement = upsert(table).values(key=key, full_at_ms=now_ms + allowance.refill_ms)
        later = case((table.c.full_at_ms > now_ms, table.c.full_at_ms), else_=now_ms)
        db_session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={"full_at_ms": later + allowance.refill_ms},
            )
        )
    db_session.execute(delete(SignInBucket).where(SignInBucket.full_at_ms <= now_ms))


@dataclass(frozen=True)
class Attempts:
    """The sign-in attempts of one request: its address, its clock, and a way to record
    a failure that outlives the request's transaction."""

    session_factory: sessionmaker[Session]
    address: str
    now: datetime

    def buckets(self, account: str | None) -> list[tuple[str, Allowance]]:
        found = [(f"address:{self.address}"[:120], PER_ADDRESS)]
        if account is not None:
            found.append((f"account:{account.strip().lower()}"[:120], PER_ACCOUNT))
        return found

    @contextmanager
    def guard(self, account: str | None = None) -> Iterator[None]:
        """Refuse with TooManyAttempts while a bucket is empty; count a NotAuthenticated
        raised inside as one failure, then let it through."""
        buckets = self.buckets(account)
        with transaction(self.session_factory) as db_session:
            wait = wait_seconds(db_session=db_session, buckets=buckets, now=self.now)
        if wait > 0:
            raise TooManyAttempts(wait)
        try:
            yield
        except NotAuthenticated:
            with transaction(self.session_factory) as db_session:
                spend(db_session=db_session, buckets=buckets, now=self.now)
            raise
