"""``liveguard credit``: a party's score with its factors and history, the list
proceedings, and the rules' own examples checked, from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from liveguard.cli import words
from liveguard.credit.enums import SubjectKind

credit_app = typer.Typer(help="Credit scores and the red and black lists.", no_args_is_help=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="where data lives (default: LIVEGUARD_DATA_DIR)"),
]


@credit_app.command("score")
def score(
    kind: Annotated[SubjectKind, typer.Argument(help="merchant, anchor, mcn or platform")],
    party_id: Annotated[int, typer.Argument(help="the party's id", min=1)],
    data_dir: DataDirOption = None,
) -> None:
    """The party's score now, each factor with its weight, value and records, and every
    change of the score with its cause."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock
    from liveguard.credit import service as credit_service

    subject = credit_service.Subject(kind, party_id)
    with _unit_of_work(_settings(data_dir)) as db_session:
        credit_service.party(db_session=db_session, subject=subject)
        scored = credit_service.compute(db_session=db_session, subject=subject, now=Clock().now())
        history = credit_service.history(db_session=db_session, subject=subject)
        typer.echo(
            json.dumps(
                {
                    "score": scored.score,
                    "factors": credit_service.factors_json(scored),
                    "history": [
                        {
                            "at": h.computed_at.isoformat(),
                            "score": h.score,
                            "previous": h.previous,
                            "cause": h.cause,
                        }
                        for h in history
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )


@credit_app.command("proceedings")
def proceedings(data_dir: DataDirOption = None) -> None:
    """Every list proceeding, newest first: party, list, state, reasons."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.credit import service as credit_service

    with _unit_of_work(_settings(data_dir)) as db_session:
        for p in credit_service.get_all(db_session=db_session):
            typer.echo(
                f"{p.id}\t{words.label(p.subject_kind)}:{p.subject_id}\t{p.subject_name}\t"
                f"{words.label(p.list_kind)}\t{words.label(p.state)}\t{'；'.join(p.reasons_zh)}"
            )


@credit_app.command("check")
def check() -> None:
    """Parse the credit rules (legal quotes checked) and run their examples."""
    from liveguard.credit import rules as credit_rules

    failed = 0
    for example in credit_rules.rules().examples:
        scored, black = credit_rules.run_example(example)
        ok = scored.score == example.expect_score and black == example.expect_black
        failed += not ok
        typer.echo(f"{'ok' if ok else 'FAILED'}\t{example.name}\t{scored.score}")
    if failed:
        raise typer.Exit(1)
