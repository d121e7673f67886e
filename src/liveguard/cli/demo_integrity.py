"""The demo's bought orders (S5): an order export from the platform with a shop whose
orders come from three accounts in bursts, a ring of accounts paying in lockstep across
three shops, and honest buyers around them (a flash sale among them), imported through the
trade service and run through the integrity detectors, as the platform's integration and
a compliance officer would."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from liveguard.clock import CHINA
from liveguard.integrity import flows as integrity_flows
from liveguard.privacy.fields import FieldCipher
from liveguard.trade import service as trade_service

BRUSHING_SHOP = "welfare"
# Not the orchard: it is the demo's clean shop on the red list (demo_credit), and a ring's
# finding now counts against a shop's credit.
RING_SHOPS = ("cosmetics", "winery", "aircon")
HONEST_SHOPS = ("jacket", "birdsnest", "orchard")


def _rows(merchants: dict[str, int], today: date) -> list[tuple[str, ...]]:
    rng = random.Random(5)
    evening = datetime.combine(today - timedelta(days=2), time(20, 0), CHINA)
    rows: list[tuple[str, ...]] = []

    def add(shop: str, buyer: str, at: datetime, amount: int = 990) -> None:
        rows.append(
            (
                f"DEMO{len(rows) + 1:05d}",
                str(merchants[shop]),
                buyer,
                at.isoformat(),
                str(amount),
                "live",
                f"device-{buyer}",
            )
        )

    # honest evenings, and a flash sale at one shop: many buyers, a few twice
    for shop in (*HONEST_SHOPS, *RING_SHOPS, BRUSHING_SHOP):
        for _ in range(30):
            add(
                shop, f"user{rng.randint(1, 400)}", evening + timedelta(minutes=rng.randint(0, 600))
            )
    for i in range(60):
        add("jacket", f"fan{i}", evening + timedelta(hours=1, seconds=10 * i), 26900)
    # the brushing shop: three accounts pay 24 times in 45 minutes
    for i in range(24):
        add(BRUSHING_SHOP, f"wx_fan{i % 3 + 1:02d}", evening + timedelta(hours=2, minutes=2 * i), 1)
    # the ring: six accounts pay within minutes at one shop after another
    for k, shop in enumerate(RING_SHOPS):
        for m in range(6):
            at = evening + timedelta(hours=3 + k, minutes=m, seconds=rng.randint(0, 50))
            add(shop, f"buyer_ring{m + 1}", at, 5900)
    return rows


def load(db: Session, cipher: FieldCipher, merchants: dict[str, int], today: date) -> None:
    now = datetime.combine(today, time(8, 0), CHINA)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(
                ("order_no", "shop_id", "buyer_id", "paid_at", "amount_fen", "channel", "device")
            )
            writer.writerows(_rows(merchants, today))
        trade_service.import_orders(
            db_session=db,
            path=path,
            file_name="platform-export.csv",
            file_format="csv",
            cipher=cipher,
            now=now,
            actor="cases",
        )
    integrity_flows.detect(db_session=db, now=now)
