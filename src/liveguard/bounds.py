"""The limits of every number and date the API takes, in one place, with their reasons.

A value the database cannot hold must be refused at the schema, before it reaches a
query: PostgreSQL's ``INTEGER`` is 32-bit (our ids and counts), ``BIGINT`` 64-bit (money in
fen, ledger sequence numbers); SQLite holds 64 bits everywhere. An id beyond its column
cannot name a record, so in a URL it answers 404 (``web/problems.py``); in a body or a
query it is a 422 naming the field and the limit, like any other bad value.

Every schema and route takes its integers and dates through these types, never a bare
``int`` or ``date``; ``tests/integration/test_bounds.py`` walks the OpenAPI document and
fails on any integer the API takes without a maximum.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

from liveguard import money

INT32_MAX = 2**31 - 1  # PostgreSQL INTEGER: ids, counts, versions
INT64_MAX = 2**63 - 1  # PostgreSQL BIGINT: ledger sequence numbers and tree sizes

# A record's id (a path segment, a query value or a body field).
Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
# A count or a position: stock, a version, an offset.
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
# A position in the evidence ledger (BIGINT columns).
Seq = Annotated[int, Field(ge=0, le=INT64_MAX)]

# Money in integer fen, each kind capped at its own sane maximum (reasons in money.py).
PriceFen = Annotated[
    int, Field(ge=0, le=money.MAX_PRICE_FEN, description="integer fen (1 yuan = 100 fen)")
]
DepositFen = Annotated[
    int, Field(gt=0, le=money.MAX_DEPOSIT_FEN, description="positive integer fen")
]
LossFen = Annotated[
    int, Field(ge=0, le=money.MAX_LOSS_FEN, description="integer fen (1 yuan = 100 fen)")
]

# Dates: nothing LiveGuard records lies outside this range (a licence, an order, a
# deadline), and the working-day calendar covers at most this much.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def _in_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"{day.isoformat()} is outside the dates LiveGuard accepts "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
        )
    return day


Day = Annotated[date, AfterValidator(_in_range)]


def _moment_in_range(moment: datetime) -> datetime:
    _in_range(moment.date())
    return moment


# A moment with its time zone, on a day in the same range (a year-9999 time would overflow
# the first deadline counted from it).
Moment = Annotated[AwareDatetime, AfterValidator(_moment_in_range)]
