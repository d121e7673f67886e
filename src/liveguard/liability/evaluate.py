"""How often the liability engine gives the expected answer (``data/eval/cases.jsonl``).

    liveguard evaluate cases [--data PATH] [--mistakes]

Each line: ``{"id", "title", "today", "facts": {CaseFacts}, "expected": {...}}`` where
``expected`` holds ``parties`` (``[[role, kind], ...]``, the duty to disclose identity
included), ``remedies`` (``{kind: fen or null}``), ``total_fen``, and optionally
``time_barred``, ``asks`` (facts the answer must ask for), ``notes`` and ``not_notes``
(note ids the answer must and must not give, e.g. which text of a law applied). The
expected answers are written from the statutes, not from the engine's output.

Scores, per case: parties (the set of liable roles is exactly right), liability kinds
(the set of role and kind pairs is exactly right), amounts (every remedy and its amount,
and the total, exactly right), plus time bars and questions where the case states them;
and precision/recall over (role, kind) pairs across all cases.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from liveguard.liability.engine import resolve
from liveguard.liability.facts import CaseFacts
from liveguard.liability.resolution import LiabilityKind, RemedyKind, Role
from liveguard.scoring import Score, read_labelled

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "data" / "eval" / "cases.jsonl"
KEYS = ("id", "today", "facts", "expected")


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    def __str__(self) -> str:
        share = self.right / self.total if self.total else 1.0
        return f"{self.right}/{self.total} ({share:.1%})"


@dataclass
class Report:
    cases: int = 0
    parties: Tally = field(default_factory=Tally)
    kinds: Tally = field(default_factory=Tally)
    amounts: Tally = field(default_factory=Tally)
    time_bars: Tally = field(default_factory=Tally)
    questions: Tally = field(default_factory=Tally)
    notes: Tally = field(default_factory=Tally)
    pairs: Score = field(default_factory=Score)
    mistakes: list[str] = field(default_factory=list)

    def table(self) -> list[str]:
        p = self.pairs
        return [
            f"{'cases':<24} {self.cases}",
            f"{'liable parties':<24} {self.parties}",
            f"{'liability kinds':<24} {self.kinds}",
            f"{'remedies and amounts':<24} {self.amounts}",
            f"{'time bars':<24} {self.time_bars}",
            f"{'questions asked':<24} {self.questions}",
            f"{'notes given':<24} {self.notes}",
            f"{'(role, kind) pairs':<24} precision {p.precision:.3f} recall {p.recall:.3f} "
            f"F1 {p.f1:.3f}",
        ]


def _check(item: dict[str, Any]) -> str | None:
    try:
        CaseFacts.model_validate(item["facts"])
        date.fromisoformat(item["today"])
        expected = item["expected"]
        {(Role(r), LiabilityKind(k)) for r, k in expected["parties"]}
        {RemedyKind(k) for k in expected["remedies"]}
        int(expected["total_fen"])
    except (ValidationError, ValueError, KeyError, TypeError) as error:
        return f"{item.get('id')}: {str(error).splitlines()[0]}"
    return None


def read_lines(path: Path) -> list[dict[str, Any]]:
    return read_labelled(path, KEYS, _check)


def evaluate(items: list[dict[str, Any]]) -> Report:
    report = Report()
    for item in items:
        report.cases += 1
        expected = item["expected"]
        answer = resolve(
            CaseFacts.model_validate(item["facts"]), today=date.fromisoformat(item["today"])
        )
        got_pairs = {(p.role.value, p.liability.value) for p in answer.parties}
        want_pairs = {(r, k) for r, k in expected["parties"]}
        got_roles, want_roles = {r for r, _ in got_pairs}, {r for r, _ in want_pairs}
        got_money = {r.kind.value: r.amount_fen for r in answer.remedies}
        want_money = dict(expected["remedies"])
        checks = {
            "parties": got_roles == want_roles,
            "kinds": got_pairs == want_pairs,
            "amounts": got_money == want_money and answer.total_fen == expected["total_fen"],
        }
        report.parties.add(checks["parties"])
        report.kinds.add(checks["kinds"])
        report.amounts.add(checks["amounts"])
        report.pairs.tp += len(got_pairs & want_pairs)
        report.pairs.fp += len(got_pairs - want_pairs)
        report.pairs.fn += len(want_pairs - got_pairs)
        if "time_barred" in expected:
            checks["time bar"] = answer.time_barred == expected["time_barred"]
            report.time_bars.add(checks["time bar"])
        if "asks" in expected:
            asked = {q.field for q in answer.questions}
            checks["questions"] = set(expected["asks"]) <= asked
            report.questions.add(checks["questions"])
        if "notes" in expected or "not_notes" in expected:
            noted = {n.id for n in answer.notes}
            checks["notes"] = set(expected.get("notes", ())) <= noted and not (
                set(expected.get("not_notes", ())) & noted
            )
            report.notes.add(checks["notes"])
        for what, ok in checks.items():
            if ok:
                continue
            if what in ("parties", "kinds"):
                detail = f"want {sorted(want_pairs)} got {sorted(got_pairs)}"
            elif what == "amounts":
                detail = (
                    f"want {want_money} total {expected['total_fen']} "
                    f"got {got_money} total {answer.total_fen}"
                )
            elif what == "notes":
                detail = (
                    f"want {expected.get('notes', [])} not {expected.get('not_notes', [])} "
                    f"got {sorted(n.id for n in answer.notes)}"
                )
            elif what == "time bar":
                detail = f"want {expected['time_barred']} got {answer.time_barred}"
            else:
                detail = (
                    f"want {expected['asks']} asked {sorted(q.field for q in answer.questions)}"
                )
            report.mistakes.append(f"{item['id']} {what}: {detail}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--mistakes", action="store_true", help="list every wrong answer")
    args = parser.parse_args(argv)
    try:
        items = read_lines(args.path)
    except (OSError, ValueError) as error:
        print(f"{args.path}: {error}", file=sys.stderr)
        return 1
    report = evaluate(items)
    print(f"{args.path}: {report.cases} complaint cases")
    for row in report.table():
        print(row)
    if args.mistakes:
        for mistake in report.mistakes:
            print(mistake)
    return 0


if __name__ == "__main__":
    sys.exit(main())
