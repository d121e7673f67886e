"""``liveguard trade check-promises``: the same check as the timer, for a given day."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from liveguard.cli.main import app as cli
from tests.integration.trade.test_s4_promises import paid_with_promise

runner = CliRunner()


def test_the_command_flags_a_broken_promise_for_the_day_given_and_only_once(
    tmp_path, database_url, monkeypatch, client, auth, sale, make_buyer
):
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", database_url)
    order = paid_with_promise(client, auth, sale, make_buyer())

    early = runner.invoke(cli, ["trade", "check-promises", "--date", "2026-05-28"])
    assert early.exit_code == 0, early.output
    assert json.loads(early.output)["breaches"] == []

    found = runner.invoke(cli, ["trade", "check-promises", "--date", "2026-05-29"])
    assert found.exit_code == 0, found.output
    [breach] = json.loads(found.output)["breaches"]
    assert (breach["order_id"], breach["breached_on"]) == (order["id"], "2026-05-29")
    assert breach["case_id"] is not None

    again = runner.invoke(cli, ["trade", "check-promises", "--date", "2026-06-30"])
    assert json.loads(again.output)["breaches"] == []
    bad = runner.invoke(cli, ["trade", "check-promises", "--date", "29 May"])
    assert bad.exit_code == 2
