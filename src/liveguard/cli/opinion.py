"""``liveguard opinion classify FILE`` and ``liveguard evaluate opinion``: the opinion
classifier on a file of posts, and its quality on the labelled set."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from liveguard.cli.detection import evaluate_app

opinion_app = typer.Typer(help="Public opinion: posts, reviews, complaints.", no_args_is_help=True)

EVAL_DATA = Path("data") / "eval" / "opinion.jsonl"


def _default_data() -> Path:
    import liveguard

    for place in (Path.cwd(), Path(liveguard.__file__).resolve().parents[2]):
        if (place / EVAL_DATA).is_file():
            return place / EVAL_DATA
    typer.echo(f"no labelled set {EVAL_DATA} here: pass --data PATH", err=True)
    raise typer.Exit(1)


@opinion_app.command("classify")
def classify_file(
    file: Annotated[Path, typer.Argument(help="JSON lines: {id, text} ('-' for stdin)")],
    out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """Classify each post: JSON lines of id, category, negative, sentiment and parties."""
    from liveguard.opinion import classify, naming

    classifier = classify.packaged()
    handle = sys.stdin if str(file) == "-" else file.open(encoding="utf-8")
    target = out.open("w", encoding="utf-8") if out else sys.stdout
    bad = 0
    try:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["text"]
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
            except (ValueError, KeyError, TypeError) as error:
                typer.echo(f"{file}:{number}: skipped: {error}", err=True)
                bad += 1
                continue
            result = classifier.classify(text)
            parties = [
                {"name": p.name, "kind": p.kind.value, "written": p.written}
                for p in naming.extract(text)
            ]
            record = {
                "id": item.get("id"),
                "category": result.category,
                "categories": result.categories,
                "negative": result.negative,
                "sentiment": result.sentiment,
                "parties": parties,
            }
            target.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if handle is not sys.stdin:
            handle.close()
        if out:
            target.close()
    if bad:
        raise typer.Exit(1)


@evaluate_app.command("opinion")
def evaluate_opinion(
    data: Annotated[
        Path | None, typer.Option(help="labelled JSON lines (default: data/eval/opinion.jsonl)")
    ] = None,
    mistakes: Annotated[bool, typer.Option(help="also list every wrong answer")] = False,
) -> None:
    """Per-category precision, recall and macro-F1, negative and sentiment accuracy."""
    from liveguard.opinion import classify
    from liveguard.opinion.evaluate import evaluate, read_lines

    path = data or _default_data()
    try:
        items = read_lines(path)
    except (OSError, ValueError) as error:
        typer.echo(f"{path}: {error}", err=True)
        raise typer.Exit(1) from None
    classifier = classify.packaged()
    report = evaluate(classifier, items)
    typer.echo(f"{path}: {report.lines} posts, model {classifier.version}")
    for row in report.table():
        typer.echo(row)
    if mistakes:
        for m in report.mistakes:
            typer.echo(f"{m.line_id} {m.what}: expected {m.expected}, got {m.got}: {m.text}")
