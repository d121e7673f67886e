"""Precision and recall of the integrity detectors on a labelled order stream.

Brushing is scored per shop (a shop with a finding against a shop the labels say brushes)
and per account (the suspicious accounts named against the labelled brushing accounts);
lockstep per account (members of the groups found against the rings' members) and per
ring (a ring counts as found when one group holds at least half of it and is at least half
ring). Run by ``liveguard evaluate trade``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from liveguard.integrity import brushing, lockstep
from liveguard.integrity.rules import rules
from liveguard.integrity.service import connect, lockstep_params


@dataclass(frozen=True)
class Score:
    name: str
    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0


def evaluate(orders: Path, labels_path: Path) -> list[Score]:
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    found = rules()
    connection = connect()
    connection.execute("SET threads = 1")
    brushing.load_file(connection, str(orders))
    shops = brushing.detect(
        connection,
        threshold=found.brushing.concentration,
        window_us=found.brushing.window_minutes * 60_000_000,
    )
    groups = lockstep.detect(connection, lockstep_params(found))
    connection.close()
    truth = {int(k): set(v) for k, v in labels["brushing"].items()}
    rule_shops = {int(str(s.shop)) for s in shops}
    finding_shops = {
        int(str(s.shop)): {str(b) for b in s.suspicious}
        for s in shops
        if sum(i.orders for i in s.intervals) >= found.brushing.min_orders_for_finding
    }
    accounts_true = {(s, b) for s, bs in truth.items() for b in bs}
    accounts_found = {(s, b) for s, bs in finding_shops.items() for b in bs}
    rings = [set(r) for r in labels["rings"]]
    members = set().union(*rings) if rings else set()
    grouped = {str(m) for g in groups for m in g.members}
    found_rings = sum(
        1
        for ring in rings
        if any(
            len(ring & {str(m) for m in g.members}) * 2 >= max(len(ring), len(g.members))
            for g in groups
        )
    )
    return [
        Score(
            "brushing rule (any interval >= 3), shops",
            len(rule_shops & set(truth)),
            len(rule_shops),
            len(truth),
        ),
        Score(
            "brushing findings, shops",
            len(set(finding_shops) & set(truth)),
            len(finding_shops),
            len(truth),
        ),
        Score(
            "brushing findings, accounts",
            len(accounts_found & accounts_true),
            len(accounts_found),
            len(accounts_true),
        ),
        Score("lockstep, accounts", len(grouped & members), len(grouped), len(members)),
        Score("lockstep, rings", found_rings, len(groups), len(rings)),
    ]
