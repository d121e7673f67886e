"""The console over HTTP: the public home page, sign-in, and reviewing from a form."""

from __future__ import annotations

import re

from liveguard.cli import demo_data
from tests import factories


def load_demo(app, clock) -> None:
    assert demo_data.load(app.state.settings, clock=clock)


def test_the_home_page_shows_the_demo_data_without_sign_in(app, client, clock):
    load_demo(app, clock)
    page = client.get("/")
    assert page.status_code == 200
    assert (
        'data-testid="count-merchants">7<' in page.text
    )  # those trading or suspended (S9: 好物优品小店 too)
    assert "暖冬服饰旗舰店" in page.text
    assert "暖冬服饰 年货节羽绒服专场" in page.text
    assert "2026-11-17 20:00" in page.text  # started 20:00 Beijing time (12:00 UTC)
    assert "13912345678" not in page.text  # no personal data on a public page


def test_the_anonymous_home_page_shows_only_what_the_public_api_shows(app, client, clock):
    load_demo(app, clock)
    page = client.get("/")
    assert "美颜坊化妆品" in page.text  # a suspension is public (电子商务法 art. 36)
    assert "licence expired" not in page.text  # the reviewers' reason is not
    assert "鲜果直供农场" not in page.text  # a shop under review is not listed
    assert 'data-testid="count-queue"' not in page.text
    client.post("/console/login", data={"username": "compliance", "password": "demo-compliance"})
    staff = client.get("/")
    assert "鲜果直供农场" in staff.text and "licence expired" in staff.text
    assert 'data-testid="count-merchants">8<' in staff.text


def test_staff_pages_send_visitors_to_sign_in(client):
    response = client.get("/console/reviews", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login")


def test_a_reviewer_signs_in_and_approves_from_the_queue(app, client, clock, token_for):
    load_demo(app, clock)
    bad = client.post("/console/login", data={"username": "compliance", "password": "nope"})
    assert bad.status_code == 401 and "用户名或密码不对" in bad.text
    client.post("/console/login", data={"username": "compliance", "password": "demo-compliance"})
    queue = client.get("/console/reviews")
    assert "酒类流通备案登记表" in queue.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', queue.text).group(1)
    document_id = re.search(r'data-document="(\d+)"', queue.text).group(1)

    forged = client.post(
        f"/console/documents/{document_id}/review", data={"decision": "approve", "csrf": "0" * 64}
    )
    assert forged.status_code == 403

    done = client.post(
        f"/console/documents/{document_id}/review",
        data={"decision": "approve", "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "notice=saved" in done.headers["location"]
    assert f'data-document="{document_id}"' not in client.get("/console/reviews").text


def test_a_regulator_sees_the_queue_without_decision_buttons(app, client, clock):
    load_demo(app, clock)
    client.post("/console/login", data={"username": "regulator", "password": "demo-regulator"})
    queue = client.get("/console/reviews")
    assert queue.status_code == 200
    assert 'value="approve"' not in queue.text


def test_the_public_shop_page_shows_the_licence_information(client, auth):
    platform = client.post("/api/platforms", json=factories.platform(), headers=auth("admin"))
    merchant = client.post(
        "/api/merchants", json=factories.merchant(platform.json()["id"]), headers=auth()
    ).json()
    page = client.get(f"/shops/{merchant['id']}")
    assert merchant["credit_code"] in page.text
    assert "电子商务法" in page.text


def test_sign_in_returns_to_a_page_on_this_site_only(app, client, clock):
    load_demo(app, clock)
    credentials = {"username": "regulator", "password": "demo-regulator"}
    back = client.post(
        "/console/login",
        data={**credentials, "next": "/console/sessions/1"},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/console/sessions/1"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        away = client.post(
            "/console/login", data={**credentials, "next": hostile}, follow_redirects=False
        )
        assert away.headers["location"] == "/console/reviews", hostile


def test_every_staff_role_can_sign_out(app, client, clock):
    load_demo(app, clock)
    client.post("/console/login", data={"username": "regulator", "password": "demo-regulator"})
    page = client.get("/console/reviews")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    out = client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/console/reviews", follow_redirects=False).status_code == 303


def test_the_evidence_page_verifies_an_item_and_shows_tampering(app, client, clock, engine):
    from sqlalchemy import text

    load_demo(app, clock)
    client.post("/console/login", data={"username": "regulator", "password": "demo-regulator"})
    with engine.begin() as connection:  # the assistant's 薇信 line, wherever the demo put it
        seq = connection.execute(
            text("SELECT ledger_seq FROM live_events WHERE text LIKE '%薇信%'")
        ).scalar()
    page = client.get(f"/console/evidence?item={seq}")
    # the rooms (with S2's label claims), S1's case, S4's order, the two complaints with
    # no platform, S7's promises and findings, S11's room, the credit lists' steps (with
    # S9's shop listed long ago: its room's 3 lines, their findings, warning, actions)
    assert 'data-testid="ledger-size">658<' in page.text
    assert "signature valid" in page.text
    assert "✔ the stored record still hashes" in page.text
    assert "leads to the root signed in checkpoint" in page.text
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE evidence_leaves SET data = replace(data, '薇信', '微博') WHERE seq = :seq"
            ),
            {"seq": seq},
        )
    page = client.get(f"/console/evidence?item={seq}")
    assert "✘ the stored record has been altered since it was recorded" in page.text
    assert "does not lead to the root" in page.text
    assert "no item 999" in client.get("/console/evidence?item=999").text


def test_a_case_handler_downloads_a_bundle_that_verifies(app, client, clock, tmp_path):
    from typer.testing import CliRunner

    from liveguard.cli.main import app as cli

    load_demo(app, clock)
    client.post("/console/login", data={"username": "cases", "password": "demo-cases"})
    page = client.get("/console/evidence")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    response = client.post(
        "/console/evidence/bundle", data={"items": "0-3, 5，8", "title": "S1", "csrf": csrf}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    path = tmp_path / "s1.zip"
    path.write_bytes(response.content)
    published = app.state.signer.public_key.hex()
    result = CliRunner().invoke(cli, ["verify", "--public-key", published, str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("在已签名的日志中，未被改动") == 6  # the CLI speaks Chinese
    bad = client.post("/console/evidence/bundle", data={"items": "3-x", "csrf": csrf})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "items"


def test_a_refused_document_review_says_why_in_chinese_and_keeps_the_reason(app, client, clock):
    load_demo(app, clock)
    client.post("/console/login", data={"username": "compliance", "password": "demo-compliance"})
    queue = client.get("/console/reviews").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', queue).group(1)
    document_id = re.search(r'data-document="(\d+)"', queue).group(1)
    page = client.post(
        f"/console/documents/{document_id}/review",
        data={"decision": "suspend", "reason": "备案表上的印章看不清", "csrf": csrf},
    )
    assert page.status_code == 200 and f'data-document="{document_id}"' in page.text
    assert "资质文件不能作“暂停经营”的决定：请选通过、驳回或要求补充" in page.text
    assert 'name="reason" value="备案表上的印章看不清"' in page.text
    assert "cannot be given" not in page.text
