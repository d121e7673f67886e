"""Tampering with the stored log is caught by auditing it against old checkpoints."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from liveguard.cli.main import app as cli

runner = CliRunner()


@pytest.fixture
def audited_log(client, auth, database_url, data_dir, monkeypatch):
    """Twenty items under two signed checkpoints (sizes 12 and 20)."""
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", database_url)
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", str(data_dir))  # the app's signing key

    def add(count: int, start: int) -> None:
        records = [
            {
                "kind": "utterance",
                "occurred_at": "2026-05-20T20:00:00+08:00",
                "data": {"text": f"5月28日前发货 #{start + i}"},
            }
            for i in range(count)
        ]
        assert (
            client.post(
                "/api/evidence/items", json={"records": records}, headers=auth()
            ).status_code
            == 201
        )
        assert client.post("/api/evidence/checkpoints", headers=auth()).status_code == 201

    add(12, 0)
    add(8, 12)


def run_audit():
    return runner.invoke(cli, ["evidence", "audit"])


def test_an_untouched_log_passes_the_audit(audited_log):
    result = run_audit()
    assert result.exit_code == 0, result.output
    assert "audited 20 items and 2 signed checkpoints" in result.output
    assert "VERDICT: the log is intact" in result.output


def change_leaf(connection) -> None:
    connection.execute(
        text("UPDATE evidence_leaves SET data = replace(data, '5月28日', '6月16日') WHERE seq = 5")
    )


def change_leaf_and_hash(connection) -> None:
    """Rewrite an item and its stored hash: the old checkpoints still catch it."""
    from liveguard.evidence import merkle

    data = connection.execute(text("SELECT data FROM evidence_leaves WHERE seq = 5")).scalar()
    forged = data.replace("5月28日", "6月16日")
    connection.execute(
        text("UPDATE evidence_leaves SET data = :d, leaf_hash = :h WHERE seq = 5"),
        {"d": forged, "h": merkle.hash_leaf(forged.encode())},
    )


def drop_one(connection) -> None:
    connection.execute(text("DELETE FROM evidence_leaves WHERE seq = 7"))


def reorder_two(connection) -> None:
    rows = {
        seq: connection.execute(
            text("SELECT data, leaf_hash FROM evidence_leaves WHERE seq = :s"), {"s": seq}
        ).one()
        for seq in (2, 9)
    }
    for seq, other in ((2, 9), (9, 2)):
        connection.execute(
            text("UPDATE evidence_leaves SET data = :d, leaf_hash = :h WHERE seq = :s"),
            {"d": rows[other][0], "h": rows[other][1], "s": seq},
        )


def forge_checkpoint(connection) -> None:
    connection.execute(text("UPDATE evidence_checkpoints SET tree_size = 11 WHERE tree_size = 12"))


def change_a_stored_subtree(connection) -> None:
    connection.execute(
        text("UPDATE evidence_nodes SET hash = :h WHERE level = 3 AND " + '"index"' + " = 0"),
        {"h": b"\x00" * 32},
    )


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (change_leaf, "item 5: its stored bytes do not match its hash"),
        (change_leaf_and_hash, "no longer reaches the root signed in checkpoint"),
        (drop_one, "items 7..7 are missing from the stored log"),
        (reorder_two, "no longer reaches the root signed in checkpoint"),
        (forge_checkpoint, "does not carry a valid signature"),
        (change_a_stored_subtree, "stored subtree at level 3, index 0 differs"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_tampering_with_the_stored_log_is_caught(audited_log, engine, tamper, says):
    with engine.begin() as connection:
        tamper(connection)
    result = run_audit()
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert "VERDICT: the log has been altered" in result.output


def test_the_cli_signs_a_checkpoint_that_the_audit_accepts(audited_log):
    result = runner.invoke(cli, ["evidence", "checkpoint"])
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n")
    assert lines[0] == "liveguard-checkpoint/v1" and lines[2] == "20"
    assert "and 3 signed checkpoints" in run_audit().output
