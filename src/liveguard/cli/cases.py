"""``liveguard cases``: complaint-case chores from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liveguard.cli import words

cases_app = typer.Typer(help="Complaint cases.", no_args_is_help=True)


@cases_app.command("remind")
def remind(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="where data lives")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list overdue steps without recording reminders")
    ] = False,
) -> None:
    """List every open case whose current step is past its deadline, and record a
    reminder on each (once per deadline). Exit 0 whether or not any is overdue."""
    from liveguard.cases import workflow
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock

    settings = _settings(data_dir)
    clock = Clock()
    with _unit_of_work(settings) as db_session:
        if dry_run:
            late = workflow.overdue(db_session=db_session, today=clock.today())
        else:
            late = workflow.remind(db_session=db_session, today=clock.today(), now=clock.now())
        lines = [
            words.say(
                "overdue_line",
                "cli.cases",
                case=o.case.id,
                state=words.label(o.case.state),
                due=o.case.due_on,
                days=o.days_overdue,
                step=o.case.due_step,
            )
            for o in late
        ]
    for line in lines:
        typer.echo(line)
    dry = words.say("dry_run", "cli.cases") if dry_run else ""
    typer.echo(words.say("overdue_count", "cli.cases", count=len(lines)) + dry)
