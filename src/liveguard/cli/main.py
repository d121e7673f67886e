"""The ``liveguard`` command."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from liveguard.cli import detection, evaluate_s7_s11  # noqa: F401  (adds evaluate commands)
from liveguard.cli import integrity as integrity_cli
from liveguard.cli.cases import cases_app
from liveguard.cli.credit import credit_app
from liveguard.cli.opinion import opinion_app
from liveguard.cli.privacy import privacy_app
from liveguard.cli.reports import reports_app
from liveguard.cli.trade import trade_app
from liveguard.config import Environment, Settings

app = typer.Typer(
    help="LiveGuard: consumer protection and compliance for live-stream commerce.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
evidence_app = typer.Typer(help="The evidence ledger.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(evidence_app, name="evidence")
app.add_typer(detection.rules_app, name="rules")
app.add_typer(detection.evaluate_app, name="evaluate")
app.command("detect")(detection.detect_file)
app.add_typer(cases_app, name="cases")
app.add_typer(trade_app, name="trade")
app.add_typer(credit_app, name="credit")
app.add_typer(privacy_app, name="privacy")
integrity_cli.register(app, trade_app, detection.evaluate_app)
app.add_typer(opinion_app, name="opinion")
app.add_typer(reports_app, name="reports")

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="where data lives (default: LIVEGUARD_DATA_DIR or ~/.local/share/liveguard)",
    ),
]


def _settings(data_dir: Path | None, **overrides: object) -> Settings:
    values: dict[str, object] = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    settings = Settings(**values)  # type: ignore[arg-type]
    settings.ensure_dirs()
    return settings


@contextmanager
def _unit_of_work(settings: Settings) -> Iterator[Session]:
    """One committed transaction on the configured database, engine closed afterwards."""
    from liveguard.db import make_engine, make_session_factory, transaction
    from liveguard.privacy import service as privacy_service
    from liveguard.privacy.fields import FieldCipher

    engine = make_engine(settings.database_url)
    info = privacy_service.session_info(FieldCipher.from_key_dir(settings.key_dir))
    try:
        with transaction(make_session_factory(engine, info=info)) as db_session:
            yield db_session
    finally:
        engine.dispose()


def _finish(report: Any) -> None:
    """Print a check's plain-words lines; exit 0 only when everything held."""
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.ok else 1)


def _serve(settings: Settings) -> None:
    import uvicorn

    from liveguard.web.app import create_app

    typer.echo(f"LiveGuard on http://{settings.host}:{settings.port}  (API docs at /docs)")
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level
    )


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Bring the database schema to the latest version."""
    from liveguard import migrations

    settings = _settings(data_dir)
    migrations.upgrade(settings.database_url)
    typer.echo(f"database at revision {migrations.current(settings.database_url)}")


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port")] = None,
    migrate: Annotated[bool, typer.Option(help="upgrade the schema first")] = True,
) -> None:
    """Serve the console and the API."""
    from liveguard import migrations

    settings = _settings(data_dir, host=host, port=port)
    if migrate:
        migrations.upgrade(settings.database_url)
    _serve(settings)


@app.command()
def demo(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port")] = None,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve after loading")
    ] = True,
) -> None:
    """Migrate, load the demo data set (once), and serve on http://127.0.0.1:8000."""
    from liveguard import migrations
    from liveguard.cli import demo_data

    settings = _settings(data_dir, host=host, port=port, environment=Environment.demo)
    migrations.upgrade(settings.database_url)
    loaded = demo_data.load(settings)
    typer.echo("demo data loaded" if loaded else "demo data already present")
    for username, role, password in demo_data.DEMO_STAFF:
        typer.echo(f"  sign in as {username} / {password}  ({role})")
    if serve_after:
        _serve(settings)


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, compliance, case_handler or regulator")],
    display_name: Annotated[str | None, typer.Option(help="name shown in the console")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="console password; prompted when omitted (use --no-password for token only)"
        ),
    ] = None,
    no_password: Annotated[bool, typer.Option(help="API token only, no console sign-in")] = False,
    token: Annotated[bool, typer.Option(help="also print a new API token")] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a staff member."""
    from pydantic import ValidationError

    from liveguard.auth import service as auth_service
    from liveguard.errors import LiveGuardError
    from liveguard.parties import service as parties_service
    from liveguard.parties.schemas import StaffCreate
    from liveguard.vocab import PrincipalKind

    settings = _settings(data_dir)
    if password is None and not no_password:
        password = getpass.getpass("password: ")
    try:
        staff_in = StaffCreate(
            username=username,
            display_name=display_name or username,
            role=role,
            password=password or None,
        )
    except ValidationError as error:
        for item in error.errors():
            field = ".".join(str(p) for p in item["loc"])
            typer.echo(f"error: {field}: {item['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        with _unit_of_work(settings) as db_session:
            staff = parties_service.create_staff(db_session=db_session, staff_in=staff_in)
            raw = (
                auth_service.issue(
                    db_session=db_session,
                    principal_kind=PrincipalKind.staff,
                    principal_id=staff.id,
                    label="created by liveguard user add",
                )
                if token
                else None
            )
    except LiveGuardError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"added {staff.username} ({staff.role.value}), id {staff.id}")
    if raw:
        typer.echo(f"API token (shown once): {raw}")


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="the evidence bundle (.zip) to check")],
    public_key: Annotated[
        str | None,
        typer.Option(help="the log's published Ed25519 key (hex): the bundle must be signed by it"),
    ] = None,
    trust_key: Annotated[
        str | None,
        typer.Option(
            help="pin this key (hex) as one you trust, after comparing its fingerprint with "
            "the one the platform publishes; later bundles are checked against it"
        ),
    ] = None,
    pin: Annotated[
        Path | None,
        typer.Option(
            help="the file of pinned keys (default: $XDG_CONFIG_HOME/liveguard/pinned-keys)"
        ),
    ] = None,
) -> None:
    """Check an evidence bundle offline; exit 0 only when everything in it holds and its
    key is one you gave or pinned."""
    from liveguard.evidence import pins
    from liveguard.evidence.signing import fingerprint
    from liveguard.evidence.verify import TrustedKeys, verify_bundle

    if public_key is not None and trust_key is not None:
        typer.echo("error: give --public-key or --trust-key, not both", err=True)
        raise typer.Exit(2)
    pin_file = pin or pins.default_pin_file()
    try:
        if trust_key is not None:
            key = pins.parse_key(trust_key)
            added = pins.pin(pin_file, key, f"pinned for {bundle.name}")
            state = "pinned" if added else "already pinned"
            typer.echo(f"{state}: key with fingerprint {fingerprint(key)} in {pin_file}")
        trusted = (
            TrustedKeys.given_key(public_key)
            if public_key is not None
            else TrustedKeys.pinned(pin_file)
        )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    _finish(verify_bundle(bundle, trusted=trusted))


@evidence_app.command("audit")
def evidence_audit(data_dir: DataDir = None) -> None:
    """Rebuild the whole log from its items and check it against every signed checkpoint,
    those in the database and those in the checkpoint log outside it."""
    from liveguard.evidence.audit import audit
    from liveguard.evidence.signing import Signer
    from liveguard.evidence.witness import CheckpointLog

    settings = _settings(data_dir)
    with _unit_of_work(settings) as db_session:
        report = audit(
            db_session=db_session,
            public_key=Signer.from_key_dir(settings.key_dir).public_key,
            witness=CheckpointLog(settings.checkpoint_log),
        )
    _finish(report)


@evidence_app.command("checkpoint")
def evidence_checkpoint(data_dir: DataDir = None) -> None:
    """Sign a checkpoint of the ledger now."""
    from liveguard.evidence import service as ledger
    from liveguard.evidence.signing import Signer

    settings = _settings(data_dir)
    with _unit_of_work(settings) as db_session:
        checkpoint = ledger.issue_checkpoint(
            db_session=db_session,
            signer=Signer.from_key_dir(settings.key_dir, witness=settings.checkpoint_log),
            origin=settings.checkpoint_origin,
        )
        typer.echo(ledger.checkpoint_body(checkpoint).note().decode(), nl=False)


@app.command()
def reverify(data_dir: DataDir = None) -> None:
    """Re-check every merchant's licence now; suspend lapsed ones, reinstate renewed ones."""
    from liveguard.clock import Clock
    from liveguard.parties import reviews

    settings = _settings(data_dir)
    with _unit_of_work(settings) as db_session:
        report = reviews.reverify(db_session=db_session, today=Clock().today())
    typer.echo(report.model_dump_json(indent=2))


@app.command()
def monitor(
    data_dir: DataDir = None,
    nats_url: Annotated[
        str | None, typer.Option("--nats-url", help="default: LIVEGUARD_NATS_URL")
    ] = None,
    batch: Annotated[
        int, typer.Option(min=1, help="messages fetched at a time (and outstanding per partition)")
    ] = 500,
    stream: Annotated[str, typer.Option(help="JetStream stream name")] = "LIVEGUARD_EVENTS",
    prefix: Annotated[
        str, typer.Option(help="subjects: <prefix>.<platform>.<partition>")
    ] = "liveguard.events",
    durable: Annotated[
        str, typer.Option(help="the partitions' consumers are <durable>-<partition>")
    ] = "monitor",
    partitions: Annotated[
        int,
        typer.Option(
            min=1, max=1024, help="rooms are spread over this many partitions (as publishers)"
        ),
    ] = 8,
    ack_wait: Annotated[float, typer.Option(help="seconds before redelivery")] = 30,
) -> None:
    """Run a live monitor worker on the NATS JetStream event stream (stop with Ctrl-C).

    Start several: they share the partitions' durable consumers, each message goes to one
    of them, and two never store the same partition's batches at once."""
    import asyncio
    import os
    import signal

    from liveguard.blobs import make_blob_store
    from liveguard.db import make_engine, make_session_factory
    from liveguard.live.worker import Bus, Worker
    from liveguard.privacy import service as privacy_service
    from liveguard.privacy.fields import FieldCipher

    settings = _settings(data_dir)
    url = nats_url or settings.nats_url
    if not url:
        typer.echo("no NATS server: set LIVEGUARD_NATS_URL or pass --nats-url", err=True)
        raise typer.Exit(2)
    engine = make_engine(settings.database_url)
    worker = Worker(
        session_factory=make_session_factory(
            engine, info=privacy_service.session_info(FieldCipher.from_key_dir(settings.key_dir))
        ),
        blobs=make_blob_store(
            settings.blob_url, settings.blob_dir, endpoint_url=settings.s3_endpoint
        ),
        name=f"monitor-{os.getpid()}",
        bus=Bus(
            stream=stream,
            prefix=prefix,
            durable=durable,
            ack_wait=ack_wait,
            partitions=partitions,
            batch=batch,
        ),
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo(f"monitor worker {os.getpid()} on {url}")
        stats = await worker.run(url, stop)
        typer.echo(
            f"stopped: {stats.messages} messages, {stats.accepted} events stored, "
            f"{stats.duplicates} duplicates, {stats.refused} refused, {stats.warnings} warnings"
        )

    try:
        asyncio.run(main())
    finally:
        engine.dispose()


if __name__ == "__main__":
    app()
