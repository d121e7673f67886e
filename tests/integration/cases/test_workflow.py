"""The case workflow: states from filed to closed with working-day deadlines, answers,
mediation notes, the decision, advance compensation from the deposit, the evidence
bundle, the public record and reminders; every step in the ledger."""

from __future__ import annotations

import io
import json
import time as time_module
import zipfile
from datetime import datetime, time

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from liveguard.cases import service as cases_service
from liveguard.clock import CHINA, FixedClock
from liveguard.config import Settings
from liveguard.evidence import service as ledger
from liveguard.evidence.verify import TrustedKeys, verify_bundle
from liveguard.web.app import create_app
from tests import factories
from tests.integration.cases.conftest import s1_complaint


def _file(client, world) -> dict:
    response = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer())
    assert response.status_code == 201, response.text
    return response.json()


def _move(client, auth, case_id: int, to_state: str, reason: str = "") -> dict:
    response = client.post(
        f"/api/cases/{case_id}/transition",
        json={"to_state": to_state, "reason": reason},
        headers=auth("case_handler"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_acceptance_is_due_within_seven_working_days_of_filing(client, world):
    case = _file(client, world)
    assert case["due_step"] == "决定是否受理投诉"
    assert case["due_on"] == "2026-12-02"  # Mon 23 Nov + 7 working days
    assert case["next_states"] == ["accepted", "refused"]


def test_a_case_goes_from_filed_to_closed_and_each_step_is_in_the_ledger(client, world, auth, db):
    case = _file(client, world)
    case = _move(client, auth, case["id"], "accepted")
    case = _move(client, auth, case["id"], "with_merchant", "转交主播及收款账号处理")
    answered = client.post(
        f"/api/cases/{case['id']}/answers?party=anchor",
        json={"text": "主播称衣服发货时是新的。"},
        headers=auth("case_handler"),
    )
    assert answered.status_code == 201 and answered.json()["party_role"] == "anchor"
    case = _move(client, auth, case["id"], "mediation")
    note = client.post(
        f"/api/cases/{case['id']}/notes",
        json={"text": "双方电话调解，消费者提供了收货视频。"},
        headers=auth("case_handler"),
    )
    assert note.status_code == 201
    decided = client.post(
        f"/api/cases/{case['id']}/decision",
        json={"outcome": "退款669元并赔偿2007元", "amount_fen": 267600, "liable": ["anchor"]},
        headers=auth("case_handler"),
    )
    assert decided.status_code == 200, decided.text
    case = _move(client, auth, case["id"], "closed", "已履行")
    assert case["state"] == "closed" and case["closed_at"]
    kinds = [e["kind"] for e in case["events"]]
    assert kinds == [
        "filed",
        "state",
        "state",
        "answer",
        "state",
        "note",
        "state",
        "decision",
        "state",
    ]
    seqs = [e["ledger_seq"] for e in case["events"]]
    assert len(set(seqs)) == len(seqs)
    with db() as s:
        note_leaf = ledger.get_item(db_session=s, seq=case["events"][5]["ledger_seq"]).data
        assert "收货视频" not in note_leaf  # mediation notes are sealed
        moved = ledger.get_item(db_session=s, seq=case["events"][1]["ledger_seq"]).data
        assert '"to_state":"accepted"' in moved


def test_the_workflow_refuses_a_step_out_of_order_and_says_which_are_allowed(client, world, auth):
    case = _file(client, world)
    response = client.post(
        f"/api/cases/{case['id']}/transition",
        json={"to_state": "mediation"},
        headers=auth("case_handler"),
    )
    assert response.status_code == 409
    assert "已受理、不予受理" in response.json()["errors"][0]["fix"]  # the allowed steps, in words
    no_reason = client.post(
        f"/api/cases/{case['id']}/transition",
        json={"to_state": "refused"},
        headers=auth("case_handler"),
    )
    assert no_reason.status_code == 409


def test_only_case_staff_move_a_case(client, world, auth):
    case = _file(client, world)
    for headers in (world.as_consumer(), auth("regulator")):
        response = client.post(
            f"/api/cases/{case['id']}/transition", json={"to_state": "accepted"}, headers=headers
        )
        assert response.status_code == 403


def test_the_platform_advances_compensation_from_the_sellers_deposit(client, world, auth):
    s2 = {
        "summary": "燕窝其实是风味饮料。",
        "session_id": world.nest_session,
        "price_paid_fen": 29900,
        "facts": {"channel": "platform", "defect": "not_as_described", "false_advertising": True},
    }
    case = client.post("/api/cases", json=s2, headers=world.as_consumer()).json()
    _move(client, auth, case["id"], "accepted")
    early = client.post(
        f"/api/cases/{case['id']}/compensation",
        json={"amount_fen": 29900, "reason": "先行赔付"},
        headers=auth("case_handler"),
    )
    assert early.status_code == 409  # a decision comes first
    client.post(
        f"/api/cases/{case['id']}/decision",
        json={"outcome": "平台先行退还价款299元", "amount_fen": 29900, "liable": ["seller"]},
        headers=auth("case_handler"),
    )
    too_much = client.post(
        f"/api/cases/{case['id']}/compensation",
        json={"amount_fen": 30000, "reason": "先行赔付"},
        headers=auth("case_handler"),
    )
    assert too_much.status_code == 422
    paid = client.post(
        f"/api/cases/{case['id']}/compensation",
        json={"amount_fen": 29900, "reason": "平台先行赔付后向商家追偿"},
        headers=auth("case_handler"),
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["state"] == "compensated"
    deposit = client.get(f"/api/merchants/{world.nest_shop}/deposit", headers=auth("compliance"))
    assert deposit.json()["balance_fen"] == 500000 - 29900


def test_a_shop_that_is_not_the_seller_does_not_pay_from_its_deposit(client, world, auth):
    case = _file(client, world)  # S1: paid off the platform, the shop is no party
    _move(client, auth, case["id"], "accepted")
    client.post(
        f"/api/cases/{case['id']}/decision",
        json={"outcome": "由收款人退款赔偿", "amount_fen": 267600, "liable": ["account_holder"]},
        headers=auth("case_handler"),
    )
    refused = client.post(
        f"/api/cases/{case['id']}/compensation",
        json={"amount_fen": 66900, "reason": "先行赔付"},
        headers=auth("case_handler"),
    )
    assert refused.status_code == 409
    assert "不承担责任" in refused.json()["detail"]


def test_decided_is_reached_by_recording_the_decision_not_a_bare_state_change(client, world, auth):
    case = _file(client, world)
    _move(client, auth, case["id"], "accepted")
    bare = client.post(
        f"/api/cases/{case['id']}/transition",
        json={"to_state": "decided"},
        headers=auth("case_handler"),
    )
    assert bare.status_code == 409
    assert "/decision" in bare.json()["errors"][0]["fix"]


def test_the_consumer_gets_a_bundle_anyone_can_verify_offline(client, world, auth, tmp_path):
    case = _file(client, world)
    client.post(
        f"/api/cases/{case['id']}/files",
        files={"file": ("receipt.png", b"\x89PNG\r\n\x1a\n receipt", "image/png")},
        headers=world.as_consumer(),
    )
    response = client.post(f"/api/cases/{case['id']}/bundle", headers=world.as_consumer())
    assert response.status_code == 200, response.text
    path = tmp_path / "case.zip"
    path.write_bytes(response.content)
    published = client.get("/api/evidence/public-key").json()["public_key"]
    report = verify_bundle(path, trusted=TrustedKeys.given_key(published))
    assert report.ok, report.lines()
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        kinds = {item["kind"] for item in manifest["items"]}
        [shown] = [item for item in manifest["items"] if item["kind"] == "frame"]
        image = archive.read(f"blobs/{shown['blobs']['image']}")  # the QR frame itself
    assert {"complaint", "utterance", "chat_message", "frame", "finding", "warning"} <= kinds
    assert {"document"} <= kinds and image.startswith(b"\x89PNG")
    other = client.post(f"/api/cases/{case['id']}/bundle", headers=world.as_consumer("other_buyer"))
    assert other.status_code == 404
    regulator = client.post(f"/api/cases/{case['id']}/bundle", headers=auth("regulator"))
    assert regulator.status_code == 200


def test_the_public_record_names_the_shop_and_outcome_never_the_consumer(client, world, auth):
    case = _file(client, world)
    early = client.post(
        f"/api/cases/{case['id']}/publish", json={"confirm": "0" * 64}, headers=auth("case_handler")
    )
    assert early.status_code == 409
    _move(client, auth, case["id"], "accepted")
    client.post(
        f"/api/cases/{case['id']}/decision",
        json={"outcome": "主播退款并赔偿", "amount_fen": 267600},
        headers=auth("case_handler"),
    )
    preview = client.get(f"/api/cases/{case['id']}/publication", headers=auth("case_handler"))
    published = client.post(
        f"/api/cases/{case['id']}/publish",
        json={"confirm": preview.json()["digest"]},
        headers=auth("case_handler"),
    )
    assert published.status_code == 200
    public = client.get(f"/api/public/cases/{case['id']}")
    assert public.status_code == 200
    record = public.json()
    assert record["merchant"] == "暖冬服饰" and record["outcome"] == "主播退款并赔偿"
    assert "account_holder" in record["liable_roles"]
    text = json.dumps(record, ensure_ascii=False)
    assert "王女士" not in text and "拉黑" not in text and "consumer" not in text
    page = client.get(f"/complaints/{case['id']}")
    assert page.status_code == 200 and "暖冬服饰" in page.text and "王女士" not in page.text
    assert [r["id"] for r in client.get("/api/public/cases").json()] == [case["id"]]


def test_overdue_steps_are_listed_and_reminded_once(client, world, auth, clock):
    case = _file(client, world)
    clock.at = datetime.combine(datetime(2026, 12, 4).date(), time(10, 0), CHINA)
    overdue = client.get("/api/cases/overdue", headers=auth("regulator")).json()
    assert [(o["case_id"], o["days_overdue"]) for o in overdue] == [(case["id"], 2)]
    first = client.post("/api/cases/reminders", headers=auth("case_handler")).json()
    again = client.post("/api/cases/reminders", headers=auth("case_handler")).json()
    assert len(first) == len(again) == 1
    events = client.get(f"/api/cases/{case['id']}", headers=auth("regulator")).json()["events"]
    assert [e["kind"] for e in events].count("reminder") == 1


def test_liveguard_cases_remind_lists_overdue_steps(app, client, world, monkeypatch):
    from liveguard.cli.main import app as cli

    _file(client, world)
    settings = app.state.settings
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", settings.database_url)
    monkeypatch.setattr(
        "liveguard.clock.Clock.now",
        lambda self: datetime(2026, 12, 10, 2, 0, tzinfo=CHINA),
    )
    result = CliRunner().invoke(cli, ["cases", "remind", "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert "共 1 个步骤逾期" in result.output and "决定是否受理投诉" in result.output
    assert "已登记待受理" in result.output  # the state in words, not filed
    english = CliRunner().invoke(
        cli, ["--lang", "en", "cases", "remind", "--dry-run", "--data-dir", str(settings.data_dir)]
    )
    assert "1 overdue step(s) (not recorded: dry run)" in english.output


def test_the_server_reminds_overdue_steps_on_its_timer(app, db, client, world):
    case = _file(client, world)
    settings = factories.settings(
        app.state.settings.data_dir,
        app.state.settings.database_url,
        case_reminder_interval_minutes=60,
    )
    late = FixedClock(datetime.combine(datetime(2026, 12, 7).date(), time(9, 0), CHINA))
    kinds: list[str] = []
    with TestClient(create_app(settings, clock=late)):  # the first run is at once
        for _ in range(100):
            with db() as session:
                events = cases_service.get_events(db_session=session, case_id=case["id"])
                kinds = [e.kind.value for e in events]
            if "reminder" in kinds:
                break
            time_module.sleep(0.1)
    assert kinds == ["filed", "reminder"]
    assert Settings(data_dir=settings.data_dir).case_reminder_interval_minutes == 60
