"""The live-room console over HTTP: the room list, a room's page with its timeline, staff
acting from the page's forms (CSRF-checked), a frame served back, and the viewers' page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

from liveguard.live import service as live_service
from tests.frame_images import encoded, frame
from tests.integration.live.conftest import speech

WECHAT_CARD = "https://u.wechat.com/EH2xQ3kC9lXz1aBcDeFg"


def sign_in(client, token_for, role: str = "compliance") -> str:
    """A console session cookie for a new staff member; returns the page's CSRF token."""
    token = token_for(role)
    client.cookies.set("lg_session", token)
    return hmac.new(token.encode(), b"liveguard-csrf", hashlib.sha256).hexdigest()


def first_timeline(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="first-timeline">(.*?)</script>', page)
    return json.loads(found.group(1))


def send(client, auth, room, events) -> None:
    answer = client.post(room.events_url(), json=events, headers=auth())
    assert answer.status_code == 200 and answer.json()["refused"] == [], answer.text


def test_the_room_list_ranks_rooms_by_risk(client, auth, token_for, room, event):
    send(client, auth, room, [speech(event, "加我微信 abc12345 私聊下单")])
    sign_in(client, token_for, "regulator")
    page = client.get("/console/live")
    assert page.status_code == 200
    row = re.search(rf'<tr data-session="{room.session_id}">(.*?)</tr>', page.text, re.S).group(1)
    risk = float(re.search(r'data-testid="risk">([\d.]+)<', row).group(1))
    assert risk > 0 and "羽绒服专场" in row
    assert re.search(r'data-testid="open-findings">(\d+)<', row).group(1) != "0"


def test_a_room_page_carries_its_timeline_with_findings_and_frames(
    client, auth, token_for, room, event
):
    png = encoded(frame(qr=WECHAT_CARD))
    shot = event(
        "frame", data={"image_base64": base64.b64encode(png).decode(), "mime": "image/png"}
    )
    send(client, auth, room, [speech(event, "加V 薇信 一三八零零一三八零零零 私聊"), shot])
    sign_in(client, token_for)
    page = client.get(f"/console/live/{room.session_id}")
    assert page.status_code == 200
    assert f'action="/console/live/{room.session_id}/actions"' in page.text
    first = first_timeline(page.text)
    spoken, framed = first["events"]
    assert any(f["category"] == "diversion" for f in spoken["findings"])
    [code] = framed["data"]["frame"]["qr_codes"]
    assert code["payload"] == WECHAT_CARD and code["kind"] == "wechat_contact"
    image = client.get(f"/console/live/{room.session_id}/frames/{framed['seq']}")
    assert image.status_code == 200 and image.content == png
    assert image.headers["content-type"] == "image/png"


def test_a_room_page_labels_each_finding_with_who_produced_it(client, auth, token_for, room, event):
    from liveguard.live.enums import FindingSpeaker

    viewer = event("chat", text="加我微信 abc12345 私聊下单")
    send(client, auth, room, [speech(event, "加我微信 abc12345 私聊下单"), viewer])
    sign_in(client, token_for, "regulator")
    page = client.get(f"/console/live/{room.session_id}").text
    spoken, typed = first_timeline(page)["events"]
    assert {f["speaker_role"] for f in spoken["findings"]} == {"anchor"}
    assert {f["speaker_role"] for f in typed["findings"]} == {"viewer"}
    found = re.search(r'<script type="application/json" id="speaker-labels">(.*?)</script>', page)
    labels = json.loads(found.group(1))
    assert set(labels) == {s.value for s in FindingSpeaker}  # a label for everyone
    assert "主播" in labels["anchor"] and "观众" in labels["viewer"]


def test_staff_act_from_the_page_and_a_stale_form_is_refused(client, auth, token_for, room, event):
    send(client, auth, room, [speech(event, "加我微信 abc12345 私聊下单")])
    csrf = sign_in(client, token_for)
    url = f"/console/live/{room.session_id}/actions"
    stale = client.post(url, data={"kind": "escalate", "csrf": "0" * 64}, follow_redirects=False)
    assert stale.status_code == 403
    missing = client.post(url, data={"kind": "warn_anchor", "csrf": csrf}, follow_redirects=False)
    assert missing.status_code == 303 and "error=" in missing.headers["location"]
    done = client.post(
        url,
        data={"kind": "warn_anchor", "text": "请勿引导观众私下交易", "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "notice=saved" in done.headers["location"]
    first = first_timeline(client.get(f"/console/live/{room.session_id}").text)
    manual = [a for a in first["actions"] if a["actor"] != "policy"]
    assert [(a["kind"], a["text"]) for a in manual] == [("warn_anchor", "请勿引导观众私下交易")]

    finding = first["events"][0]["findings"][0]
    dismissed = client.post(
        f"/console/live/findings/{finding['id']}/dismiss",
        data={"reason": "a quoted example", "csrf": csrf},
        follow_redirects=False,
    )
    assert dismissed.status_code == 303 and "notice=saved" in dismissed.headers["location"]
    again = first_timeline(client.get(f"/console/live/{room.session_id}").text)
    assert again["events"][0]["findings"][0]["status"] == "dismissed"


def test_a_regulator_reads_the_room_without_the_forms(client, auth, token_for, room):
    sign_in(client, token_for, "regulator")
    page = client.get(f"/console/live/{room.session_id}")
    assert page.status_code == 200 and "/actions" not in page.text


def test_the_viewers_page_is_public_and_shows_the_warnings_issued(client, auth, room, event):
    page = client.get(f"/live/{room.session_id}")
    assert page.status_code == 200
    assert re.search(r'data-testid="warning-banner"\s+hidden', page.text)
    send(client, auth, room, [speech(event, "加我微信 abc12345 私聊下单，私下转账更便宜")])
    warned = client.get(f"/live/{room.session_id}").text
    assert not re.search(r'data-testid="warning-banner"\s+hidden', warned)
    [warning] = client.get(f"/api/public/live/{room.session_id}/warnings").json()
    assert warning["text"] in warned
    assert client.get("/live/999999").status_code == 404


def test_staff_choose_a_finding_and_a_listing_from_the_page_and_an_ended_room_stops_live_actions(
    client, auth, token_for, room, event, clock, db
):
    sign_in(client, token_for)
    send(client, auth, room, [speech(event, "加我微信，私聊下单")])
    page = client.get(f"/console/live/{room.session_id}").text
    finding = first_timeline(page)["events"][0]["findings"][0]
    # picked, not typed: the open finding and the shop's listing are options of a select
    assert re.search(
        rf'<select name="finding_id"[^>]*>.*?<option value="{finding["id"]}">', page, re.S
    )
    assert re.search(
        rf'<select name="listing_id"[^>]*>.*?<option value="{room.listing_id}">', page, re.S
    )
    assert 'value="viewer_warning"' in page and 'value="suspend_room"' in page
    assert finding["rule"] not in re.sub(
        r'<script.*?</script>|data-[a-z-]+="[^"]*"', "", page, flags=re.S
    )

    with db() as session:  # the room goes off air
        live_service.get(db_session=session, session_id=room.session_id).ended_at = clock.now()
    ended = client.get(f"/console/live/{room.session_id}").text
    assert 'value="viewer_warning"' not in ended and 'value="warn_anchor"' not in ended
    assert 'value="suspend_room"' not in ended
    assert 'value="escalate"' in ended and 'value="note"' in ended


def test_a_manual_viewer_warning_is_the_text_staff_wrote(client, auth, token_for, room):
    csrf = sign_in(client, token_for)
    words = "工作人员提醒：请勿扫码付款，站外交易不受平台保障"
    done = client.post(
        f"/console/live/{room.session_id}/actions",
        data={"csrf": csrf, "kind": "viewer_warning", "text": words, "reason": "seen by staff"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "notice=saved" in done.headers["location"]
    actions = first_timeline(client.get(f"/console/live/{room.session_id}").text)["actions"]
    assert [(a["kind"], a["text"]) for a in actions] == [("viewer_warning", words)]
    assert words in client.get(f"/live/{room.session_id}").text


def test_a_refused_action_says_why_in_chinese_and_keeps_what_was_typed(client, token_for, room):
    csrf = sign_in(client, token_for)
    url = f"/console/live/{room.session_id}/actions"
    reason = "主播口播引导私下转账"
    page = client.post(url, data={"kind": "warn_anchor", "reason": reason, "csrf": csrf})
    assert page.status_code == 200 and 'role="alert"' in page.text
    assert "“提醒主播”要写提示文字" in page.text and "请在“提示文字”里写" in page.text
    assert f'data-testid="act-reason" value="{reason}"' in page.text
    short = client.post(url, data={"kind": "note", "reason": "短", "csrf": csrf})
    assert "理由或备注：太短了" in short.text  # the field named in Chinese, never pydantic's
    typed = client.post(url, data={"kind": "escalate", "finding_id": "第三条", "csrf": csrf})
    assert "“针对哪条发现”要填编号，“第三条”不是：请从列表里选" in typed.text


def test_a_stale_form_is_a_chinese_page_that_says_to_reload(client, token_for, room):
    sign_in(client, token_for)
    stale = client.post(
        f"/console/live/{room.session_id}/actions", data={"kind": "escalate", "csrf": "0" * 64}
    )
    assert stale.status_code == 403
    assert "表单已过期" in stale.text and "请刷新页面后重新提交" in stale.text
    assert "stale" not in stale.text
