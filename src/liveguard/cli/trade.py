"""``liveguard trade``: orders and delivery promises from the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

trade_app = typer.Typer(help="Orders and delivery promises.", no_args_is_help=True)


@trade_app.command("check-promises")
def check_promises(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="where data lives (default: LIVEGUARD_DATA_DIR)"),
    ] = None,
    day: Annotated[
        datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            help="the day to check, YYYY-MM-DD (default: today in China)",
        ),
    ] = None,
) -> None:
    """Flag every delivery promise broken by the day, once, and open the buyers' cases."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock
    from liveguard.trade import flows as trade_flows

    clock = Clock()
    settings = _settings(data_dir)
    with _unit_of_work(settings) as db_session:
        report = trade_flows.check_promises(
            db_session=db_session,
            day=day.date() if day else clock.today(),
            now=clock.now(),
        )
    typer.echo(report.model_dump_json(indent=2))
