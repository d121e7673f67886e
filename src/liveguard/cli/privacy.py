"""``liveguard privacy``: the retention job, the field-encryption key's rotation and
re-encryption, and pseudonymous exports for analytics."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from liveguard.cli import words
from liveguard.clock import CHINA

privacy_app = typer.Typer(help="Buyers' personal information.", no_args_is_help=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="where data lives (default: LIVEGUARD_DATA_DIR)"),
]


@privacy_app.command("retention")
def retention(data_dir: DataDir = None) -> None:
    """Delete or trim every record past its retention period (policy.yaml), and report.
    Run it daily from cron or any scheduler."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.clock import Clock
    from liveguard.privacy import retention as job

    with _unit_of_work(_settings(data_dir)) as db_session:
        report = job.run(db_session=db_session, now=Clock().now())
    for line in report.lines:
        typer.echo(
            f"{line.title_zh} ({line.record}): {line.action} {line.rows} "
            f"before {line.before:%Y-%m-%d}"
        )
    typer.echo(f"total: {report.total}")


@privacy_app.command("rotate-key")
def rotate_key(data_dir: DataDir = None) -> None:
    """Add a new field-encryption key; old rows stay readable. Then run ``reencrypt``."""
    from liveguard.cli.main import _settings
    from liveguard.privacy import fields

    path = fields.rotate(_settings(data_dir).key_dir)
    typer.echo(
        f"new key {fields.key_id(path.read_bytes())} in {path.name}; "
        "then run: liveguard privacy reencrypt"
    )


@privacy_app.command("reencrypt")
def reencrypt(
    data_dir: DataDir = None,
    batch: Annotated[
        int, typer.Option(min=1, max=10_000, help="rows per column per transaction")
    ] = 500,
    retire: Annotated[bool, typer.Option(help="then delete keys no row uses any more")] = False,
) -> None:
    """Re-encrypt every personal field under the newest key, a batch per transaction, while
    the app keeps running; with --retire, drop the old keys afterwards."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.privacy import fields, rotation
    from liveguard.privacy.fields import FieldCipher

    settings = _settings(data_dir)
    cipher = FieldCipher.from_key_dir(settings.key_dir)
    total = 0
    while True:
        with _unit_of_work(settings) as db_session:
            done = rotation.reencrypt_batch(db_session=db_session, cipher=cipher, batch=batch)
        total += done
        if not done:
            break
    with _unit_of_work(settings) as db_session:
        used, tokens = rotation.key_ids_in_use(db_session=db_session)
    typer.echo(f"re-encrypted {total} field(s); {tokens} field(s) under key(s) {sorted(used)}")
    if retire:
        removed = fields.retire(settings.key_dir, keep=used | {cipher.current_key_id})
        typer.echo(f"retired key(s): {removed or 'none'}")


@privacy_app.command("mask-typed-text")
def mask_typed_text(
    data_dir: DataDir = None,
    batch: Annotated[
        int, typer.Option(min=1, max=10_000, help="rows per column per transaction")
    ] = 500,
) -> None:
    """Mask the phone and ID numbers in free text stored before masking existed (case
    summaries and steps, opinion posts, credit steps, order reasons), a case's words as
    typed sealed under the field key; a batch per transaction, safe while the app runs."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.privacy import rotation
    from liveguard.privacy.fields import FieldCipher

    settings = _settings(data_dir)
    cipher = FieldCipher.from_key_dir(settings.key_dir)
    after: dict[str, int] = {}
    total = 0
    while True:
        with _unit_of_work(settings) as db_session:
            read = rotation.mask_typed_batch(
                db_session=db_session, cipher=cipher, after=after, batch=batch
            )
        total += read
        if not read:
            break
    typer.echo(f"read {total} row(s) of free text; personal numbers in them now masked")


@privacy_app.command("export-sends")
def export_sends(
    merchant: Annotated[int, typer.Option(min=1, help="the merchant's id")],
    data_dir: DataDir = None,
) -> None:
    """The shop's marketing sends as CSV for analysis, each buyer by a pseudonymous id
    (the same buyer, the same id; no way back to her record without the index key)."""
    from liveguard.cli.main import _settings, _unit_of_work
    from liveguard.privacy import service
    from liveguard.privacy.fields import FieldCipher

    settings = _settings(data_dir)
    cipher = FieldCipher.from_key_dir(settings.key_dir)
    writer = csv.writer(sys.stdout)
    # Read by people (in a spreadsheet): the words for codes, and times in Beijing time
    # with the zone named in the header, as every page shows them.
    writer.writerow(words.say("sends_header", "cli.privacy").split(","))
    with _unit_of_work(settings) as db_session:
        for send in service.sends_of(db_session=db_session, merchant_id=merchant):
            writer.writerow(
                [
                    cipher.pseudonym("consumer", send.consumer_id),
                    words.label(send.channel),
                    send.requested_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                    int(send.allowed),
                    words.label(send.refusal) if send.refusal else "",
                ]
            )
