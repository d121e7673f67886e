"""``liveguard reports``: the scheduled runs (for cron or a systemd timer), a report on
demand for any period, and the list of past reports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from liveguard.cli import words
from liveguard.reports.enums import Schedule

reports_app = typer.Typer(help="Reports: scheduled, on demand, and the list.", no_args_is_help=True)
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="where data lives (default: LIVEGUARD_DATA_DIR)"),
]


@reports_app.command("run")
def run(
    schedule: Annotated[
        Schedule, typer.Option("--schedule", help="daily: yesterday; weekly: last Mon-Sun")
    ],
    data_dir: DataDirOption = None,
    day: Annotated[
        datetime | None,
        typer.Option("--today", formats=["%Y-%m-%d"], help="run as if on this day (YYYY-MM-DD)"),
    ] = None,
) -> None:
    """Make the scheduled report once: a second run for the same period prints the first."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock
    from liveguard.reports import service

    if schedule is Schedule.on_demand:
        raise typer.BadParameter("use `liveguard reports make` for a period of your own")
    clock = Clock()
    with _unit_of_work(_settings(data_dir)) as db_session:
        report, made = service.run_scheduled(
            db_session=db_session,
            schedule=schedule,
            today=day.date() if day else clock.today(),
            now=clock.now(),
        )
        typer.echo(
            words.say(
                "made" if made else "already_made",
                "cli.reports",
                id=report.id,
                start=report.start,
                end=report.end,
                sha=report.pdf_sha256,
                seq=report.ledger_seq,
            )
        )


@reports_app.command("make")
def make(
    start: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="first day")],
    end: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="last day, inclusive")],
    platform_id: Annotated[int | None, typer.Option(help="one platform (default: all)")] = None,
    title: Annotated[str | None, typer.Option(help="the report's title")] = None,
    output: Annotated[Path | None, typer.Option(help="also write the PDF here")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Make a report for any period now, store it, and print where it is."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock
    from liveguard.reports import service
    from liveguard.reports.schemas import ReportCreate

    report_in = ReportCreate(
        start=start.date(), end=end.date(), platform_id=platform_id, title=title
    )
    with _unit_of_work(_settings(data_dir)) as db_session:
        report = service.create(
            db_session=db_session, report_in=report_in, actor="cli", now=Clock().now()
        )
        if output is not None:
            output.write_bytes(report.pdf)
        typer.echo(
            words.say(
                "made_one",
                "cli.reports",
                id=report.id,
                title=report.title,
                sha=report.pdf_sha256,
                seq=report.ledger_seq,
            )
        )


@reports_app.command("list")
def list_reports(data_dir: DataDirOption = None) -> None:
    """Past reports, newest first."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.reports import service

    with _unit_of_work(_settings(data_dir)) as db_session:
        for report in service.get_all(db_session=db_session, limit=200):
            typer.echo(
                f"{report.id}\t{words.label(report.schedule)}\t{report.start}..{report.end}\t"
                f"{report.title}\t{report.pdf_sha256[:16]}"
            )
