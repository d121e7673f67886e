"""The scheduled run as cron would start it: `liveguard reports run --schedule daily`
makes yesterday's report once (a second run prints the first), and it is in the list
any staff reads."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from liveguard.cli.main import app as cli
from liveguard.reports import fonts

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", database_url)
    return tmp_path


def test_the_daily_run_makes_yesterdays_report_once(app, cli_env, client, auth) -> None:
    try:
        fonts.find()
    except fonts.FontMissing as missing:
        pytest.skip(missing.detail)
    first = runner.invoke(cli, ["reports", "run", "--schedule", "daily", "--today", "2026-06-21"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("已生成：报告") and "2026-06-20..2026-06-20" in first.output
    again = runner.invoke(
        cli, ["--lang", "en", "reports", "run", "--schedule", "daily", "--today", "2026-06-21"]
    )
    assert (
        again.output.startswith("already made")
        and again.output.split()[3] == (first.output.split()[1])
    )
    listed = client.get("/api/reports", headers=auth("regulator")).json()
    assert [(r["schedule"], r["start"], r["end"]) for r in listed["items"]] == [
        ("daily", "2026-06-20", "2026-06-20")
    ]
    listing = runner.invoke(cli, ["reports", "list"])
    assert "每日\t2026-06-20..2026-06-20" in listing.output
