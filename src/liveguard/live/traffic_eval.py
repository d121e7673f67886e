"""Measure the bought-traffic signals on labelled rooms (``liveguard evaluate traffic``).

Each line of the file is a room: its name, category, label (bought or honest), the signs
its buying should leave (``signs``) and its events as the ingest API takes them. A room
counts as flagged when any sign fires; each sign is also scored on its own. "Seen in
another room" is read from the other rooms of the same file, as the service reads it
from the platform's other rooms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from liveguard.live import picture

SIGNS = ("traffic.viewer_jump", "traffic.idle_likers", "traffic.fresh_buyers")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:<24} precision {self.precision:.3f}  recall {self.recall:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn})"
        )


@dataclass
class Report:
    rooms: int = 0
    room: Score = field(default_factory=Score)
    signs: dict[str, Score] = field(default_factory=lambda: {s: Score() for s in SIGNS})
    mistakes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.rooms} rooms", self.room.line("bought room")]
        out += [score.line(sign) for sign, score in self.signs.items()]
        return out


def read_rooms(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _accounts(room: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    for event in room["events"]:
        data = event.get("data") or {}
        seen.update(str(a) for a in data.get("likers") or ())
        for key in ("user", "buyer"):
            if data.get(key):
                seen.add(str(data[key]))
    return seen


def evaluate(rooms: Iterable[dict[str, Any]]) -> Report:
    rooms = list(rooms)
    accounts = [_accounts(room) for room in rooms]
    report = Report(rooms=len(rooms))
    for i, room in enumerate(rooms):
        elsewhere = frozenset(set().union(*(a for j, a in enumerate(accounts) if j != i)))
        events = [
            picture.Event(
                e["kind"], datetime.fromisoformat(e["occurred_at"]), e.get("data") or {}, n
            )
            for n, e in enumerate(room["events"], start=1)
        ]
        shown = picture.picture(events, category=room["category"], seen_elsewhere=elsewhere)
        fired = {s.rule for s in shown.signals}
        bought = room["label"] == "bought"
        report.room.add(bool(fired & set(SIGNS)), bought)
        if bool(fired & set(SIGNS)) != bought:
            report.mistakes.append(f"{room['name']}: {room['label']}, fired {sorted(fired)}")
        for sign, score in report.signs.items():
            score.add(sign in fired, sign in room["signs"])
    return report
