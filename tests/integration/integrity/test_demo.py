"""The demo carries S5: a shop brushing with three accounts, and a ring of six accounts
paying in lockstep across three shops, each a finding on the console."""

from __future__ import annotations

from liveguard.cli import demo_data


def test_the_demo_shows_a_brushing_shop_and_a_ring(app, client, clock, auth):
    assert demo_data.load(app.state.settings, clock=clock)
    findings = client.get("/api/integrity/findings", headers=auth()).json()
    kinds = sorted(f["kind"] for f in findings)
    assert kinds == ["brushing", "lockstep", "lockstep", "lockstep"]
    [brushing] = [f for f in findings if f["kind"] == "brushing"]
    detail = client.get(f"/api/integrity/findings/{brushing['id']}", headers=auth()).json()
    assert detail["buyers"] == ["wx_fan01", "wx_fan02", "wx_fan03"]
    ring = next(f for f in findings if f["kind"] == "lockstep")
    members = client.get(f"/api/integrity/findings/{ring['id']}", headers=auth()).json()["buyers"]
    assert members == [f"buyer_ring{m}" for m in range(1, 7)]
    page = client.get("/console/integrity", headers=auth())
    assert page.text.count('data-kind="lockstep"') == 3
