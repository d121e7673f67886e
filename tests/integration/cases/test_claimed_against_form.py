"""Whom she claims from, on the console's complaint form: plain Chinese choices (卖家, 主播,
平台...), turned into the engine's roles, and kept when the form comes back with a mistake."""

from __future__ import annotations

import re

from tests.integration.cases.test_buyer_pages import once_of
from tests.integration.cases.test_case_pages import consumer_signs_in, csrf_of

DIRECT = {
    "summary": "朋友圈找的上门保洁，收了300元一直不来。",
    "paid": "direct",
    "live_room": "no",
    "subject": "service",
    "defect": "not_delivered",
    "price_yuan": "300",
}


def _checked(page) -> set[str]:
    boxes = re.findall(
        r'<input type="checkbox" name="claimed_against" value="(\w+)"( checked)?', page
    )
    return {value for value, checked in boxes if checked}


def test_the_form_offers_plain_choices_and_files_the_roles_behind_them(client, world):
    consumer_signs_in(client, world)
    form = client.get("/console/cases/new")
    assert "您要求谁承担责任" in form.text and "主播" in form.text and "MCN机构" in form.text
    assert "anchor_operator" not in form.text  # no bare internal codes on the page
    filed = client.post(
        "/console/cases",
        data={
            **DIRECT,
            "csrf": csrf_of(form),
            "once": once_of(form.text),
            "claimed_against": ["seller", "anchor"],
        },
    )
    assert filed.status_code == 200 and "已保存" in filed.text, filed.text
    case_id = int(str(filed.url).split("/console/cases/")[1].split("?")[0])
    case = client.get(f"/api/cases/{case_id}", headers=world.as_consumer()).json()
    assert set(case["facts"]["claimed_against"]) == {
        "seller",
        "anchor_seller",
        "anchor_operator",
        "anchor_endorser",
    }
    assert [p["role"] for p in case["resolution"]["parties"]] == ["seller"]


def test_a_form_with_a_mistake_keeps_whom_she_claimed_from(client, world):
    consumer_signs_in(client, world)
    form = client.get("/console/cases/new")
    back = client.post(
        "/console/cases",
        data={
            **DIRECT,
            "csrf": csrf_of(form),
            "price_yuan": "三百块",
            "claimed_against": ["anchor", "platform"],
        },
    )
    assert back.status_code == 422 and "请用数字写金额" in back.text
    assert _checked(back.text) == {"anchor", "platform"}
    assert client.get("/api/cases", headers=world.as_consumer()).json() == []


def test_a_choice_not_on_the_list_is_refused_in_chinese(client, world):
    consumer_signs_in(client, world)
    form = client.get("/console/cases/new")
    back = client.post(
        "/console/cases",
        data={**DIRECT, "csrf": csrf_of(form), "claimed_against": ["seller", "boss"]},
    )
    assert "不在列表中" in back.text
    assert _checked(back.text) == {"seller"}
    assert client.get("/api/cases", headers=world.as_consumer()).json() == []
