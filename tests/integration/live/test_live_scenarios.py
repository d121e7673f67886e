"""S1 and S3 through the public API: events in, findings, actions, warnings, the ledger."""

from __future__ import annotations

import base64
import math

import pytest

from tests.integration.live.conftest import another_session, speech


def send(client, auth, room, events):
    response = client.post(room.events_url(), json=events, headers=auth())
    assert response.status_code == 200, response.text
    return response.json()


def ledger_kinds(client, auth, seqs):
    return [client.get(f"/api/evidence/items/{s}", headers=auth()).json()["kind"] for s in seqs]


def test_s1_diversion_in_speech_and_chat_is_found_warned_and_kept_in_the_ledger(
    client, auth, room, event
):
    shown = event("listing_shown", data={"listing_id": room.listing_id})
    spoken = speech(
        event, "过年不发货，想早点发的加V 薇信 一三八 零零一三 八零零零，私下转账更便宜"
    )
    chat = event("chat", text="加我vx: abc_jacket888 私聊下单", speaker_role="assistant")
    answer = send(client, auth, room, [shown, spoken, chat])
    assert answer["refused"] == []
    assert [a["duplicate"] for a in answer["accepted"]] == [False, False, False]
    assert answer["accepted"][1]["findings"] >= 1 and answer["accepted"][2]["findings"] >= 1

    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    spoken_row = timeline["events"][1]
    categories = {f["category"] for f in spoken_row["findings"]}
    assert "diversion" in categories
    assert spoken_row["listing_id"] == room.listing_id  # joined to the product on show
    assert all(f["legal_basis"] for f in spoken_row["findings"])
    assert {f["category"] for f in timeline["events"][2]["findings"]} >= {"diversion"}

    kinds = [a["kind"] for a in timeline["actions"]]
    assert kinds.count("viewer_warning") == 1  # one banner per room, however many findings
    assert "warn_anchor" in kinds

    warnings = client.get(f"/api/public/live/{room.session_id}/warnings").json()
    assert len(warnings) == 1 and "Do not pay outside the platform" in warnings[0]["text"]

    # everything in the ledger: the events, the findings, the warning
    seqs = [e["ledger_seq"] for e in timeline["events"]]
    seqs += [f["ledger_seq"] for e in timeline["events"] for f in e["findings"]]
    seqs += [a["ledger_seq"] for a in timeline["actions"]]
    assert None not in seqs
    kinds = ledger_kinds(client, auth, seqs)
    assert {"utterance", "chat_message", "finding", "warning", "action"} <= set(kinds)


def test_a_resent_event_is_stored_once_and_finds_nothing_twice(client, auth, room, event):
    spoken = speech(event, "加我微信 abc12345 私聊下单")
    first = send(client, auth, room, [spoken])["accepted"][0]
    again = send(client, auth, room, [spoken])["accepted"][0]
    assert again["duplicate"] and again["seq"] == first["seq"]
    assert again["findings"] == first["findings"] >= 1
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    assert len(timeline["events"]) == 1


def test_malformed_and_unknown_events_are_refused_with_a_reason_and_counted(
    client, auth, room, event
):
    good = speech(event, "大家好")
    answer = send(
        client,
        auth,
        room,
        [good, {"event_id": "x1", "kind": "teleport"}, event("chat"), "text", {"kind": "chat"}],
    )
    assert [a["index"] for a in answer["accepted"]] == [0]
    reasons = [(r["index"], r["reason"]) for r in answer["refused"]]
    assert reasons == [
        (1, "unknown_kind"),
        (2, "malformed"),
        (3, "not_an_object"),
        (4, "missing_event_id"),
    ]
    counts = client.get(f"/api/sessions/{room.session_id}/refusals", headers=auth()).json()
    assert {c["reason"]: c["count"] for c in counts} == {
        "malformed": 1,
        "missing_event_id": 1,
        "not_an_object": 1,
        "unknown_kind": 1,
    }


def test_s3_a_listing_changed_on_show_to_999_yuan_shipping_is_flagged_and_pulled(
    client, auth, room, event
):
    shown = event("listing_shown", data={"listing_id": room.listing_id})
    changed = event(
        "listing_changed",
        data={
            "listing_id": room.listing_id,
            "changes": {"price_fen": 1, "shipping_fee_fen": 99900},
        },
    )
    send(client, auth, room, [shown, changed])
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    [finding] = timeline["events"][1]["findings"]
    assert finding["rule"] == "listing.changed_midstream"
    assert "shipping.excessive" in [p["check"] for p in finding["evidence"]["problems"]]
    assert finding["evidence"]["after"]["shipping_fee_fen"] == 99900
    kinds = [a["kind"] for a in timeline["actions"]]
    assert "pull_listing" in kinds and "viewer_warning" in kinds
    listing = client.get(f"/api/listings/{room.listing_id}", headers=auth()).json()
    assert listing["status"] != "on_sale"


def test_a_claimed_scarcity_is_checked_against_the_stock_counter(client, auth, room, event):
    send(
        client,
        auth,
        room,
        [
            event("listing_shown", data={"listing_id": room.listing_id}),
            event("counters", data={"stock": 480, "listing_id": room.listing_id}),
            speech(event, "最后三件了，抓紧拍"),
            event("counters", data={"stock": 3, "listing_id": room.listing_id}),
            speech(event, "最后三件了"),
        ],
    )
    events = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()[
        "events"
    ]
    [claim] = [f for f in events[2]["findings"] if f["rule"] == "claim.scarcity_vs_stock"]
    assert claim["evidence"]["actual"] == 480 and claim["listing_id"] == room.listing_id
    assert "claim.scarcity_vs_stock" not in [f["rule"] for f in events[4]["findings"]]


def test_staff_act_by_hand_and_dismiss_a_finding(client, auth, room, event):
    send(client, auth, room, [speech(event, "加我微信 abc12345 私聊下单")])
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    findings = timeline["events"][0]["findings"]
    finding_id = findings[0]["id"]
    url = f"/api/sessions/{room.session_id}/actions"
    refused = client.post(url, json={"kind": "suspend_room", "reason": "repeat"})
    assert refused.status_code == 401
    suspended = client.post(
        url,
        json={"kind": "suspend_room", "reason": "third diversion", "finding_id": finding_id},
        headers=auth(),
    )
    assert suspended.status_code == 201, suspended.text
    assert suspended.json()["ledger_seq"] is not None
    dismissed = client.post(
        f"/api/live/findings/{finding_id}/dismiss", json={"reason": "a test line"}, headers=auth()
    )
    assert dismissed.status_code == 200, dismissed.text
    rooms = client.get("/api/live/rooms", headers=auth()).json()
    assert rooms[0]["status"] == "suspended" and rooms[0]["open_findings"] == len(findings) - 1


def test_s1_a_wechat_qr_code_held_up_in_a_frame_is_found_and_warned(client, auth, room, event):
    pytest.importorskip("zxingcpp")
    from tests.frame_images import encoded, frame

    image = encoded(frame(qr="https://u.wechat.com/EH2xQ3kC9lXz1aBcDeFg"))
    still = event(
        "frame",
        data={"image_base64": base64.b64encode(image).decode(), "mime": "image/png"},
    )
    answer = send(client, auth, room, [still])
    assert answer["refused"] == [] and answer["accepted"][0]["findings"] >= 1
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    [row] = timeline["events"]
    assert row["data"]["frame"]["qr_codes"][0]["kind"] == "wechat_contact"
    [finding] = [f for f in row["findings"] if f["source"] == "qr"]
    assert finding["category"] == "diversion" and finding["legal_basis"]
    assert "u.wechat.com" in finding["quote"]
    assert "viewer_warning" in [a["kind"] for a in timeline["actions"]]
    item = client.get(f"/api/evidence/items/{row['ledger_seq']}", headers=auth()).json()
    assert item["kind"] == "frame" and len(item["record"]["blobs"]["image"]) == 64


def test_each_row_points_at_its_own_ledger_item_when_the_appends_come_last(
    client, auth, room, event
):
    # events, findings and actions of one batch are appended at the end of its transaction:
    # every row must still name its own item, and each item the items it refers to
    shown = event("listing_shown", data={"listing_id": room.listing_id})
    lines = [speech(event, f"第{n}句，加我微信 abc1234{n} 私下转账更便宜") for n in range(3)]
    chat = event("chat", text="今天天气不错")
    send(client, auth, room, [shown, *lines, chat])
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()

    def record(seq):
        return client.get(f"/api/evidence/items/{seq}", headers=auth()).json()["record"]

    for row in timeline["events"]:
        assert record(row["ledger_seq"])["data"]["event_id"] == row["event_id"]
        for finding in row["findings"]:
            data = record(finding["ledger_seq"])["data"]
            assert data["finding_id"] == finding["id"]
            assert data["event_ledger_seq"] == row["ledger_seq"]
    findings = {f["id"]: f for row in timeline["events"] for f in row["findings"]}
    assert len(findings) >= 3 and timeline["actions"]
    for action in timeline["actions"]:
        data = record(action["ledger_seq"])["data"]
        assert data["action_id"] == action["id"]
        if action["finding_id"] is not None:
            assert data["finding_ledger_seq"] == findings[action["finding_id"]]["ledger_seq"]


VIEWER_SPAM = [
    "加我微信 abc12345 私聊下单",
    "要的加我vx: spam_888 私下转账更便宜",
    "加V 薇信 一三八零零一三八零零零 私聊",
    "私聊我，加我微信 cheap_999 下单便宜",
]


def test_viewers_typing_diversion_in_chat_warn_the_others_but_never_the_anchor_nor_suspend(
    client, auth, room, event
):
    shown = event("listing_shown", data={"listing_id": room.listing_id})
    spam = [event("chat", text=line) for line in VIEWER_SPAM]  # a chat line is a viewer's
    send(client, auth, room, [shown, *spam])
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    found = [f for row in timeline["events"][1:] for f in row["findings"]]
    diversions = [f for f in found if f["category"] == "diversion"]
    assert len(diversions) >= 3 and {f["speaker_role"] for f in found} == {"viewer"}

    kinds = [a["kind"] for a in timeline["actions"]]
    assert kinds.count("viewer_warning") == 1  # the other viewers are told, once
    assert not {"warn_anchor", "suspend_room", "escalate"} & set(kinds)
    notes = [a for a in timeline["actions"] if a["kind"] == "note"]
    assert {a["finding_id"] for a in notes} >= {
        f["id"] for f in diversions if f["severity"] != "low"
    }
    diversion_ids = {f["id"] for f in diversions}
    assert all(
        a["policy"] == "policy.diversion.viewer" for a in notes if a["finding_id"] in diversion_ids
    )
    # the viewer's own number (一三八零零一三八零零零) is her personal data too (labelling.md)
    assert [f["rule"] for f in found if f["category"] == "personal_info"] == [
        "personal_info.viewer_number"
    ]
    # the reason in words for staff: policy's doing, the rule said as its rule file says it
    assert all(a["reason"].startswith("按处置规则自动执行") for a in notes)
    assert not any(a["rule"] in a["reason"] for a in notes)
    assert timeline["room"]["status"] == "live"
    warned = client.get(f"/api/public/live/{room.session_id}/warnings").json()
    assert len(warned) == 1 and "Do not pay outside the platform" in warned[0]["text"]

    # the finding's ledger item says who said it
    item = client.get(f"/api/evidence/items/{diversions[0]['ledger_seq']}", headers=auth()).json()
    assert item["record"]["data"]["speaker_role"] == "viewer"

    # the anchor saying it is the anchor's to answer for: warned, the banner not repeated;
    # the viewers' lines before it do not make it a third diversion, so the room stays on
    send(client, auth, room, [speech(event, "想要的加我微信 abc12345")])
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    spoken = timeline["events"][-1]["findings"]
    assert spoken and {f["speaker_role"] for f in spoken} == {"anchor"}
    kinds = [a["kind"] for a in timeline["actions"]]
    assert "warn_anchor" in kinds and kinds.count("viewer_warning") == 1
    [warned_anchor] = [a for a in timeline["actions"] if a["kind"] == "warn_anchor"]
    assert warned_anchor["finding_id"] in {f["id"] for f in spoken}
    assert "suspend_room" not in kinds and timeline["room"]["status"] == "live"


def test_the_sellers_side_together_reaches_the_suspension_the_viewers_lines_do_not(
    client, auth, room, event
):
    def timeline():
        return client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()

    spam = [event("chat", text=line) for line in VIEWER_SPAM]
    send(
        client,
        auth,
        room,
        [*spam, speech(event, "想要的加我微信 abc12345"), speech(event, "加我微信")],
    )
    before = timeline()
    seller = [f for row in before["events"][-2:] for f in row["findings"]]
    assert [f["speaker_role"] for f in seller] == ["anchor", "anchor"]
    assert before["room"]["status"] == "live"  # two of the seller's, however many viewers'

    send(client, auth, room, [event("chat", text="加我微信", speaker_role="assistant")])
    after = timeline()
    [third] = after["events"][-1]["findings"]
    assert third["speaker_role"] == "assistant" and after["room"]["status"] == "suspended"
    [suspended] = [a for a in after["actions"] if a["kind"] == "suspend_room"]
    assert suspended["finding_id"] == third["id"]


def test_a_dismissed_finding_no_longer_counts_towards_suspending_the_room(
    client, auth, room, event
):
    line = "加我微信 abc12345 私聊下单"
    send(client, auth, room, [speech(event, line)])
    first = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    per_line = len(first["events"][0]["findings"])
    for finding in first["events"][0]["findings"]:
        dismissed = client.post(
            f"/api/live/findings/{finding['id']}/dismiss",
            json={"reason": "the platform's own test line"},
            headers=auth(),
        )
        assert dismissed.status_code == 200, dismissed.text
    # the policy suspends at the seller's third open diversion finding
    below = math.ceil(3 / per_line) - 1  # lines whose findings stay below three
    send(client, auth, room, [speech(event, line) for _ in range(below)])
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    kinds = [a["kind"] for a in timeline["actions"]]
    assert (below + 1) * per_line >= 3  # counted with the dismissed ones, it would suspend
    assert "suspend_room" not in kinds, kinds
    send(client, auth, room, [speech(event, line)])  # now three open ones
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    assert "suspend_room" in [a["kind"] for a in timeline["actions"]]


def test_an_anchor_with_open_findings_in_two_earlier_rooms_is_escalated_dismissed_ones_not(
    client, auth, room, event
):
    line = "加我微信 abc12345 私聊下单"
    earlier = [
        f"/api/sessions/{room.session_id}",
        f"/api/sessions/{another_session(client, auth, room)}",
    ]

    def say(session_url: str) -> dict:
        answer = client.post(f"{session_url}/events", json=[speech(event, line)], headers=auth())
        assert answer.status_code == 200, answer.text
        return client.get(f"{session_url}/timeline", headers=auth()).json()

    for url in earlier:
        say(url)
    second = client.get(f"{earlier[1]}/timeline", headers=auth()).json()
    for finding in second["events"][0]["findings"]:
        dismissed = client.post(
            f"/api/live/findings/{finding['id']}/dismiss",
            json={"reason": "a test line"},
            headers=auth(),
        )
        assert dismissed.status_code == 200, dismissed.text
    # one earlier room with an open finding: not yet a repeat offender
    timeline = say(f"/api/sessions/{another_session(client, auth, room)}")
    assert "escalate" not in [a["kind"] for a in timeline["actions"]]
    # the first room and the one just now have open ones: two earlier rooms
    timeline = say(f"/api/sessions/{another_session(client, auth, room)}")
    escalations = [a for a in timeline["actions"] if a["kind"] == "escalate"]
    assert [a["policy"] for a in escalations] == ["policy.repeat_offender.escalate"]
