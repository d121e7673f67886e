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


def run_audit(lang: str = "en"):
    """The audit's summary; in English (LIVEGUARD_LANG=en) for the detail tests below."""
    return runner.invoke(cli, ["evidence", "audit"], env={"LIVEGUARD_LANG": lang})


def test_an_untouched_log_passes_the_audit_said_in_chinese_by_default(audited_log):
    result = runner.invoke(cli, ["evidence", "audit"])
    assert result.exit_code == 0, result.output
    assert "已审计 20 项记录和 2 个已签名检查点" in result.output
    assert "结论：日志完整，与每个检查点一致。" in result.output


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


def cover_up(connection) -> None:
    """What an operator with database access does next: recompute every stored subtree and
    the tree state from the items as they now stand, so the tables agree with each other."""
    from liveguard.evidence import merkle
    from liveguard.evidence.models import LedgerNode, LedgerState
    from liveguard.evidence.service import NODE_FLOOR

    frontier = merkle.Frontier()
    nodes = []
    for (data,) in connection.execute(text("SELECT data FROM evidence_leaves ORDER BY seq")):
        completed = frontier.append(merkle.hash_leaf(data.encode()))
        nodes += [{"level": n.level, "index": n.index, "hash": n.hash} for n in completed]
    connection.execute(LedgerNode.__table__.delete())
    stored = [n for n in nodes if n["level"] >= NODE_FLOOR]
    if stored:
        connection.execute(LedgerNode.__table__.insert(), stored)
    connection.execute(
        LedgerState.__table__.update().values(
            tree_size=frontier.size, frontier=[r.hex() for r in frontier.roots]
        )
    )


def cut_the_tail(connection) -> None:
    connection.execute(text("DELETE FROM evidence_leaves WHERE seq >= 12"))
    connection.execute(text("DELETE FROM evidence_checkpoints WHERE tree_size > 12"))
    cover_up(connection)


def rewrite_an_item_everywhere(connection) -> None:
    change_leaf_and_hash(connection)
    connection.execute(text("DELETE FROM evidence_checkpoints"))
    cover_up(connection)


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (
            cut_the_tail,
            "checkpoint log line 2 signed 20 items; only 12 are stored",
        ),
        (
            rewrite_an_item_everywhere,
            "the stored log no longer reaches the root signed in checkpoint log line 1 at size 12",
        ),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_cover_up_in_the_database_is_caught_by_the_checkpoint_log(
    audited_log, engine, tamper, says
):
    with engine.begin() as connection:
        tamper(connection)
    result = run_audit()
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert "is not among the database's checkpoints: they were deleted" in result.output
    assert "VERDICT: the log has been altered" in result.output


def test_the_cut_tail_and_the_moved_items_are_named(audited_log, engine):
    with engine.begin() as connection:
        cut_the_tail(connection)
    assert "items changed, moved or lost: 12..19" in run_audit().output


def test_a_broken_log_is_summed_up_not_listed(audited_log, engine):
    with engine.begin() as connection:
        connection.execute(text("UPDATE evidence_leaves SET data = replace(data, '#', 'No.')"))
    result = run_audit()
    assert result.exit_code == 1
    fails = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert fails[0] == "FAIL item 0: its stored bytes do not match its hash (and 19 more like it)"
    # changed items, checkpoints not reached, stored subtrees, the tree state: one line each
    assert len(fails) == 4
    assert "26 problems in all" in result.output
    assert "items changed, moved or lost: 0..19" in result.output


def test_with_no_checkpoint_the_audit_says_so(client, auth, database_url, data_dir, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", database_url)
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", str(data_dir))
    record = {"kind": "order", "occurred_at": "2026-05-20T20:00:00+08:00"}
    client.post("/api/evidence/items", json={"records": [record]}, headers=auth())
    result = run_audit()
    assert result.exit_code == 0, result.output
    assert "no checkpoint to compare with" in result.output
    assert "consistent with every checkpoint" not in result.output


def test_a_checkpoint_reaches_the_checkpoint_log_only_when_committed(app, data_dir):
    from liveguard.evidence import service as ledger
    from liveguard.evidence.witness import CheckpointLog

    log = CheckpointLog(app.state.settings.checkpoint_log)
    with app.state.session_factory() as session:
        ledger.issue_checkpoint(db_session=session, signer=app.state.signer)
        assert log.read() == ([], [])
        session.rollback()
        session.commit()
    assert log.read() == ([], [])
    with app.state.session_factory() as session:
        checkpoint = ledger.issue_checkpoint(db_session=session, signer=app.state.signer)
        session.commit()
        [line], problems = log.read()
    assert not problems and line.signature == bytes(checkpoint.signature)
    assert line.body == ledger.checkpoint_body(checkpoint)
