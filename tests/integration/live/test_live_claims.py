"""Claims against data through the API: sales, the original price, a raise before a
"discount" made on show, and an audience that neither chats nor buys."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.live.conftest import speech


def timeline(client, auth, room):
    return client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()


def rules_of(row):
    return [f["rule"] for f in row["findings"]]


def test_a_sales_figure_said_aloud_is_checked_against_the_sales_counter(client, auth, room, event):
    events = [
        event("listing_shown", data={"listing_id": room.listing_id}),
        event("counters", data={"sales": 2000}),
        speech(event, "这款已售10万件，闭眼入"),
        event("counters", data={"sales": 100_000}),
        speech(event, "这款已售10万件"),
    ]
    client.post(room.events_url(), json=events, headers=auth())
    rows = timeline(client, auth, room)["events"]
    [claim] = [f for f in rows[2]["findings"] if f["rule"] == "claim.sales_vs_counter"]
    assert claim["evidence"] == {"claimed": 100_000, "actual": 2000, "counter_seq": 2}
    assert claim["legal_basis"] and claim["quote"] == "已售10万件"
    assert "claim.sales_vs_counter" not in rules_of(rows[4])


def test_an_original_price_said_aloud_is_checked_against_the_price_history(
    client, auth, room, event
):
    events = [
        event("listing_shown", data={"listing_id": room.listing_id}),
        speech(event, "原价399，今天直播间只要99"),
        speech(event, "原价99，今天直播间只要99"),
    ]
    client.post(room.events_url(), json=events, headers=auth())
    rows = timeline(client, auth, room)["events"]
    [claim] = [f for f in rows[1]["findings"] if f["rule"] == "claim.original_price_vs_history"]
    assert claim["evidence"]["claimed_fen"] == 39900
    assert "price.fake_original" in [p["check"] for p in claim["evidence"]["problems"]]
    assert "claim.original_price_vs_history" not in rules_of(rows[2])  # not a higher price


def test_a_price_raised_on_show_then_discounted_back_is_flagged(client, auth, room, event):
    shown = event("listing_shown", data={"listing_id": room.listing_id})
    raised = event(
        "listing_changed", data={"listing_id": room.listing_id, "changes": {"price_fen": 19900}}
    )
    discounted = event(
        "listing_changed",
        data={
            "listing_id": room.listing_id,
            "changes": {"price_fen": 9900, "original_price_fen": 19900},
        },
    )
    client.post(room.events_url(), json=[shown, raised, discounted], headers=auth())
    rows = timeline(client, auth, room)["events"]
    assert rows[1]["findings"] == []  # a raise alone is not a finding
    [finding] = rows[2]["findings"]
    checks = [p["check"] for p in finding["evidence"]["problems"]]
    assert finding["rule"] == "listing.changed_midstream"
    assert "price.raised_before_discount" in checks


def test_a_big_audience_that_never_chats_or_buys_is_a_traffic_finding_with_its_series(
    client, auth, room, clock
):
    start = clock.now()

    def counters(n: int, viewers: int, likes: int) -> dict:
        at = start + timedelta(seconds=10 * n)
        data = {"viewers": viewers, "likes": likes}
        return {
            "event_id": f"c{n}",
            "kind": "counters",
            "occurred_at": at.isoformat(),
            "data": data,
        }

    events = [counters(n, 5000 + 100 * n, 1000 * n) for n in range(7)]
    answer = client.post(room.events_url(), json=events, headers=auth())
    assert answer.status_code == 200, answer.text
    rows = timeline(client, auth, room)["events"]
    found = [f for row in rows for f in row["findings"]]
    [finding] = [f for f in found if f["rule"] == "traffic.inflated_audience"]
    assert finding["evidence"]["chats"] == 0 and finding["evidence"]["orders"] == 0
    assert len(finding["evidence"]["series"]) >= 4


def test_an_audience_that_chats_is_not_a_traffic_finding(client, auth, room, clock):
    start = clock.now()
    events = []
    for n in range(61):
        at = (start + timedelta(seconds=n)).isoformat()
        events.append(
            {
                "event_id": f"m{n}",
                "kind": "chat",
                "occurred_at": at,
                "text": "好看",
                "speaker_role": "viewer",
            }
        )
        if n % 10 == 0:
            data = {"viewers": 3000, "likes": 100 * n}
            events.append(
                {"event_id": f"c{n}", "kind": "counters", "occurred_at": at, "data": data}
            )
    client.post(room.events_url(), json=events, headers=auth())
    rows = timeline(client, auth, room)["events"]
    assert not [f for row in rows for f in row["findings"] if f["source"] == "traffic"]
