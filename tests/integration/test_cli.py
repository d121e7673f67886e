"""The liveguard command: migrate, add users, load the demo, re-verify."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from liveguard.cli.main import app as cli

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    """Point the command at this backend's test database and a private data dir."""
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", database_url)
    return tmp_path


def test_db_upgrade_reports_the_revision(cli_env, database_url):
    from alembic.script import ScriptDirectory

    from liveguard.migrations import alembic_config

    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"数据库结构版本：{head}" in result.output


def test_user_add_creates_staff_who_can_sign_in(app, cli_env, client):
    result = runner.invoke(
        cli,
        ["user", "add", "zhou", "--role", "case_handler", "--password", "s3cret-pass", "--token"],
    )
    assert result.exit_code == 0, result.output
    assert "已添加 zhou（投诉处理员），编号" in result.output
    token = result.output.split("接口令牌（只显示这一次）：")[1].strip()
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["role"]
        == "case_handler"
    )
    signed_in = client.post("/api/auth/login", json={"username": "zhou", "password": "s3cret-pass"})
    assert signed_in.status_code == 200


def test_the_cli_speaks_english_with_liveguard_lang_and_refuses_other_languages(cli_env):
    english = runner.invoke(
        cli,
        ["user", "add", "wu", "--role", "regulator", "--no-password"],
        env={"LIVEGUARD_LANG": "en"},
    )
    assert english.exit_code == 0, english.output
    assert "added wu (Regulator (read-only))" in english.output
    klingon = runner.invoke(cli, ["--lang", "tlh", "db", "upgrade"])
    assert klingon.exit_code == 2
    assert "--lang 只能是 zh 或 en" in klingon.output


def test_user_add_refuses_a_bad_role_and_a_taken_name(cli_env):
    bad = runner.invoke(cli, ["user", "add", "li", "--role", "boss", "--no-password"])
    assert bad.exit_code == 2
    assert "role" in bad.output
    assert (
        runner.invoke(cli, ["user", "add", "li", "--role", "admin", "--no-password"]).exit_code == 0
    )
    taken = runner.invoke(cli, ["user", "add", "li", "--role", "admin", "--no-password"])
    assert taken.exit_code == 1
    assert "taken" in taken.output


def test_demo_loads_once_and_reverify_runs(cli_env, database_url):
    first = runner.invoke(cli, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "演示数据已载入" in first.output
    assert "以 compliance / demo-compliance 登录（合规专员）" in first.output
    second = runner.invoke(cli, ["--lang", "en", "demo", "--no-serve"])
    assert "demo data already present" in second.output
    assert "compliance / demo-compliance  (Compliance officer)" in second.output
    engine = create_engine(database_url)
    with engine.connect() as connection:
        counts = {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in (
                "platforms",
                "merchants",
                "anchors",
                "listings",
                "live_sessions",
                "live_events",
                "qualification_documents",
            )
        }
        suspended = connection.execute(
            text("SELECT shop_name, status_reason FROM merchants WHERE status = 'suspended'")
        ).all()
    assert counts == {
        "platforms": 2,
        "merchants": 7 + 1,  # S9's shop black-listed long ago, and its anchor
        "anchors": 4 + 1,
        "listings": 4 + 2,  # and two on sale for the buyer's pages (cli/demo_consumer.py)
        "live_sessions": 3 + 20 + 1,  # S11's star session, the "618" period's, S9's old room
        "live_events": 15 + 207 + 99 + 3,  # S11's generated half hour (seed 11), the "618" period
        "qualification_documents": 3,
    }
    assert len(suspended) == 1 and "expired" in suspended[0][1]
    with engine.connect() as connection:
        ledger_size = connection.execute(text("SELECT tree_size FROM evidence_state")).scalar()
        checkpoint = connection.execute(text("SELECT tree_size FROM evidence_checkpoints")).all()
    # the parties and listings, both rooms' events with the monitor's findings and actions,
    # the S1 complaint (citing the monitor's findings, not recording them again), and
    # S4's order, promises, breach and case; S2's claims the bird's nest's own label
    # contradicts; the two complaints with no platform (demo_liability); S7's promises,
    # payouts and findings, and S11's room with its bought-traffic findings; the order
    # file and its integrity findings; the credit lists' steps; then the "618" period's
    # events, findings and actions, its five complaints and one decision, the credit steps
    # its findings raise, and its report's PDF hash; S9's old room (3 utterances, their
    # findings, warning and actions) and its shop's and anchor's listing steps (4 each); last, the
    # two listings on sale for the buyer's pages (cli/demo_consumer.py).
    # By kind, from a fresh demo (labelling.md: a viewer's "vx 一三八 1234 五六七八 私我" is her
    # personal data as well as diversion, and her "加V多少" a question, not an invitation):
    kinds = {"action": 100 + 6, "chat_message": 94, "complaint": 12, "counters": 31}
    kinds |= {"credit_step": 19 + 8, "finding": 143 + 3, "frame": 1, "listing_version": 9 + 2}
    kinds |= {"order": 118, "report": 1, "utterance": 86 + 3, "warning": 21 + 1}
    with engine.connect() as connection:
        by_kind = dict(
            connection.execute(
                text("SELECT kind, count(*) FROM evidence_leaves GROUP BY kind")
            ).all()
        )
    assert by_kind == kinds
    assert ledger_size == sum(kinds.values()) and [row[0] for row in checkpoint] == [ledger_size]
    engine.dispose()
    report = runner.invoke(cli, ["reverify"])
    assert report.exit_code == 0
    assert '"checked"' in report.output


def test_export_sends_reads_in_words_and_beijing_time_with_the_zone_named(cli_env, database_url):
    assert runner.invoke(cli, ["demo", "--no-serve"]).exit_code == 0
    engine = create_engine(database_url)
    with engine.connect() as connection:
        shop = connection.execute(
            text("SELECT id FROM merchants WHERE shop_name = '暖冬服饰旗舰店'")
        ).scalar_one()
    engine.dispose()
    result = runner.invoke(cli, ["privacy", "export-sends", "--merchant", str(shop)])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert "请求时间（北京时间 UTC+8）" in header
    assert rows and all(",短信," in r or ",应用内消息," in r for r in rows)
    assert not any("T" in r.split(",")[2] or "+00:00" in r for r in rows)  # no ISO UTC
    english = runner.invoke(
        cli, ["--lang", "en", "privacy", "export-sends", "--merchant", str(shop)]
    )
    assert english.output.splitlines()[0].startswith("buyer,channel,requested_at (Beijing")
    assert ",SMS," in english.output
