"""``liveguard trade import|brushing``, ``liveguard integrity``, ``liveguard evaluate trade``:
bulk orders and the trade integrity detectors from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

integrity_app = typer.Typer(
    help="Trade integrity: bought orders and buyer rings.", no_args_is_help=True
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="where data lives (default: LIVEGUARD_DATA_DIR)"),
]
EVAL = Path("data/eval")


def import_orders(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV, JSON lines or Parquet")
    ],
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="csv, jsonl or parquet (default: the file's ending)"),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Import the platform's orders from a file (streamed); refused rows are listed by line."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock
    from liveguard.privacy.fields import FieldCipher
    from liveguard.trade import service as trade_service

    settings = _settings(data_dir)
    with _unit_of_work(settings) as db_session:
        report = trade_service.import_orders(
            db_session=db_session,
            path=file,
            file_name=file.name,
            file_format=file_format or "",
            cipher=FieldCipher.from_key_dir(settings.key_dir),
            now=Clock().now(),
            actor="cli",
        )
    for error in report.errors:
        typer.echo(f"{file.name}:{error.line}: {error.field}: {error.message}", err=True)
    typer.echo(
        f"{report.rows_stored} stored, {report.rows_refused} refused of {report.rows_read}; "
        f"ledger item {report.ledger_seq}"
    )


def brushing_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or Parquet")],
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="shopee: columns orderid,shopid,userid,event_time"),
    ] = None,
) -> None:
    """Order brushing by concentration over a file, no database: one line per shop."""
    from liveguard.integrity import brushing
    from liveguard.integrity.rules import rules
    from liveguard.integrity.service import connect, moment

    found = rules()
    connection = connect()
    brushing.load_file(connection, str(file), shopee=file_format == "shopee")
    results = brushing.detect(
        connection,
        threshold=found.brushing.concentration,
        window_us=found.brushing.window_minutes * 60_000_000,
    )
    if file_format == "shopee":
        for line in brushing.shopee_rows(connection, results):
            typer.echo(line)
        return
    typer.echo("shop,buyers,share,intervals")
    for r in results:
        spans = " ".join(
            f"[{moment(i.start_us):%Y-%m-%d %H:%M:%S} {moment(i.end_us):%H:%M:%S} "
            f"{i.orders}/{i.buyers}]"
            for i in r.intervals
        )
        typer.echo(f"{r.shop},{'&'.join(str(b) for b in r.suspicious)},{r.share:.3f},{spans}")


@integrity_app.command("detect")
def detect(data_dir: DataDir = None) -> None:
    """Run brushing and lockstep detection over the stored orders; record new findings."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock
    from liveguard.integrity import flows

    with _unit_of_work(_settings(data_dir)) as db_session:
        report = flows.detect(db_session=db_session, now=Clock().now())
    typer.echo(report.model_dump_json(indent=2))


@integrity_app.command("generate")
def generate(
    out: Annotated[
        Path, typer.Argument(help="path without ending: writes OUT.csv and OUT.labels.json")
    ],
    seed: Annotated[int, typer.Option(help="the seed: the same seed writes the same set")] = 1,
    shops: Annotated[int, typer.Option(help="honest shops")] = 240,
    buyers: Annotated[int, typer.Option(help="buyer accounts")] = 12000,
    days: Annotated[int, typer.Option()] = 7,
) -> None:
    """Write a labelled order stream (honest shops, flash sales, brushing, rings)."""
    from liveguard.integrity import generate as generator

    scale = generator.Scale(honest_shops=shops, buyers=buyers, days=days)
    csv_path, labels_path, count = generator.write(seed, out, scale)
    typer.echo(f"{count} orders: {csv_path}, labels: {labels_path}")


def evaluate_trade(
    data: Annotated[
        Path | None, typer.Option(help="orders CSV (default: data/eval/trade_orders.csv)")
    ] = None,
    labels: Annotated[Path | None, typer.Option(help="default: beside the orders")] = None,
) -> None:
    """Precision and recall of the brushing and lockstep detectors on labelled orders."""
    from liveguard.integrity.evaluate import evaluate

    data = data or EVAL / "trade_orders.csv"
    labels = labels or data.with_suffix(".labels.json")
    typer.echo(f"{data}")
    for score in evaluate(data, labels):
        typer.echo(
            f"  {score.name:45} precision {score.precision:.3f} recall {score.recall:.3f} "
            f"({score.true_positive} right of {score.predicted} found, {score.actual} labelled)"
        )


def register(app: typer.Typer, trade_app: typer.Typer, evaluate_app: typer.Typer) -> None:
    """Hang these commands on the ``liveguard`` tree (one line in cli/main.py)."""
    trade_app.command("import")(import_orders)
    trade_app.command("brushing")(brushing_file)
    evaluate_app.command("trade")(evaluate_trade)
    app.add_typer(integrity_app, name="integrity")
