"""``liveguard evaluate promises`` and ``liveguard evaluate traffic``: the red-envelope,
coupon and price-protection reader and the bought-traffic signals measured on labelled
data (``data/eval/``); ``liveguard evaluate make-rooms`` writes a seeded labelled room file.
The commands join ``liveguard evaluate`` when this module is imported (cli/main.py)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from liveguard.cli.detection import evaluate_app


def _exists(path: Path) -> Path:
    if not path.is_file():
        typer.echo(f"{path}: no such file", err=True)
        raise typer.Exit(1)
    return path


@evaluate_app.command("promises")
def evaluate_promises(
    data: Annotated[Path, typer.Argument(help="labelled JSON lines, {text, expect}")],
    mistakes: Annotated[bool, typer.Option(help="also list every text read wrong")] = False,
) -> None:
    """Precision and recall of reading red envelope, coupon and price-protection promises."""
    from liveguard.trade import benefit_eval

    report = benefit_eval.evaluate(_exists(data))
    typer.echo(f"{data}:")
    for line in report.lines() + (report.mistakes if mistakes else []):
        typer.echo(line)


def _read(path: Path) -> list[dict[str, object]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@evaluate_app.command("traffic")
def evaluate_traffic(
    data: Annotated[Path, typer.Argument(help="labelled rooms, JSON lines (.gz allowed)")],
    mistakes: Annotated[bool, typer.Option(help="also list every room judged wrong")] = False,
) -> None:
    """Precision and recall of the bought-traffic signals, per room and per sign."""
    from liveguard.live import traffic_eval

    report = traffic_eval.evaluate(_read(_exists(data)))
    typer.echo(f"{data}:")
    for line in report.lines() + (report.mistakes if mistakes else []):
        typer.echo(line)


@evaluate_app.command("make-rooms")
def make_rooms(
    out: Annotated[Path, typer.Argument(help="where to write the rooms (.jsonl.gz)")],
    seed: Annotated[int, typer.Option(help="the generator's seed")] = 7,
    count: Annotated[int, typer.Option(help="how many rooms")] = 40,
    hard: Annotated[bool, typer.Option(help="add the cases the thresholds were not set on")] = (
        False
    ),
) -> None:
    """Write a seeded file of labelled honest and bought rooms."""
    from liveguard.live import room_samples

    rooms = room_samples.make_rooms(seed, count, datetime(2026, 6, 1, 12, tzinfo=UTC), hard=hard)
    lines = [
        json.dumps(
            {
                "name": room.name,
                "category": room.category,
                "label": room.label,
                "signs": sorted(room.signs()),
                "events": room.events,
            },
            ensure_ascii=False,
        )
        for room in rooms
    ]
    # mtime 0: the same seed writes the same bytes
    out.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    typer.echo(f"{out}: {len(rooms)} rooms, {sum(r.label == 'bought' for r in rooms)} bought")
