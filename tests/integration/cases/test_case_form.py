"""The console's complaint form as case staff use it: the shop, the room, the anchor and the
listing chosen from lists by name (no id to type), the consumer by her mobile number; a
mistake comes back on the same form in Chinese by its field with everything typed kept;
the same form sent twice files one case."""

from __future__ import annotations

import re

import pytest

from liveguard.db import transaction
from liveguard.parties import service as parties_service
from tests.integration.cases.conftest import JACKET
from tests.integration.cases.test_buyer_pages import once_of
from tests.integration.cases.test_case_pages import csrf_of, staff_signs_in

SUMMARY = "直播间说是加厚羽绒服，收到的是薄款，客服不理。"


def buyer_phone(app, world) -> str:
    with transaction(app.state.session_factory) as db_session:
        buyer = parties_service.get_consumer(db_session=db_session, consumer_id=world.buyer)
        return str(app.state.cipher.decrypt(buyer.phone_enc, context="consumer.phone"))


def filled(app, world, page, **overrides: str) -> dict[str, str]:
    form = {
        "csrf": csrf_of(page),
        "once": once_of(page.text),
        "consumer_phone": buyer_phone(app, world),
        "summary": SUMMARY,
        "session_id": str(world.jacket_session),
        "listing_id": str(world.jacket_listing),
        "paid": "platform",
        "price_yuan": "669",
        "defect": "not_as_described",
    }
    return form | overrides


def cases_of(client, auth) -> list[dict]:
    return client.get("/api/cases", headers=auth("case_handler")).json()


def test_the_form_offers_shops_rooms_anchors_and_listings_by_name(client, world, token_for):
    staff_signs_in(client, token_for)
    page = client.get(f"/console/cases/new?session_id={world.jacket_session}")
    assert page.status_code == 200
    for testid in ("pick-shop", "pick-room", "pick-anchor", "pick-listing", "consumer-phone"):
        assert f'data-testid="{testid}"' in page.text
    assert JACKET in page.text  # the listing by its name
    assert f'<option value="{world.jacket_session}" selected>' in page.text  # from the room
    # no field asks for a bare number: every id is chosen from a list
    assert not re.search(
        r'<input name="(consumer|listing|session|merchant|anchor|order)_id"', page.text
    )


def test_staff_file_by_choosing_and_land_on_the_case(client, app, world, token_for, auth):
    staff_signs_in(client, token_for)
    page = client.get("/console/cases/new")
    before = len(cases_of(client, auth))
    filed = client.post("/console/cases", data=filled(app, world, page), follow_redirects=False)
    assert filed.status_code == 303, filed.text
    case_id = int(re.search(r"/console/cases/(\d+)", filed.headers["location"])[1])
    case = client.get(f"/api/cases/{case_id}", headers=auth("case_handler")).json()
    assert (case["consumer_id"], case["session_id"], case["listing_id"]) == (
        world.buyer,
        world.jacket_session,
        world.jacket_listing,
    )
    assert len(cases_of(client, auth)) == before + 1


def test_the_same_form_sent_twice_files_one_case(client, app, world, token_for, auth):
    staff_signs_in(client, token_for)
    data = filled(app, world, client.get("/console/cases/new"))
    before = len(cases_of(client, auth))
    first = client.post("/console/cases", data=data, follow_redirects=False)
    second = client.post("/console/cases", data=data, follow_redirects=False)
    assert first.headers["location"] == second.headers["location"]
    assert len(cases_of(client, auth)) == before + 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"consumer_phone": ""}, "consumer_phone", "请填写消费者的手机号"),
        ({"consumer_phone": "13900000000"}, "consumer_phone", "没有手机号为"),
        ({"price_yuan": "六百块"}, "price_yuan", "请用数字写金额"),
        ({"occurred_at": "昨晚八点"}, "occurred_at", "看不懂"),
        ({"order_no": "DD-1"}, "order_no", "先选店铺"),
        ({"order_no": "DD-1", "merchant_id": "1"}, "order_no", "没有订单号为"),
        ({"listing_id": "abc"}, "listing_id", "不在列表中"),
        ({"session_id": "99999999999"}, "session_id", "不在列表中"),
        ({"summary": "坏"}, "summary", "太短了"),
        ({"session_id": "", "listing_id": ""}, "form", "在哪里买的"),
        ({"paid": "off_platform", "order_no": ""}, "form", None),
    ],
)
def test_a_mistake_comes_back_in_chinese_by_its_field_with_what_was_typed(
    client, app, world, token_for, auth, overrides, field, words
):
    staff_signs_in(client, token_for)
    before = len(cases_of(client, auth))
    data = filled(app, world, client.get("/console/cases/new"), **overrides)
    if overrides.get("paid") == "off_platform":  # a payment outside with a platform order
        data["merchant_id"] = str(world.jacket_shop)
        data["payment_channel"] = "platform"
        words = "互相矛盾"
    page = client.post("/console/cases", data=data)
    assert page.status_code == 422
    assert f'data-testid="error-{field}"' in page.text and words in page.text
    kept = data["summary"] if field != "summary" else "坏"
    assert kept in page.text  # what staff typed is still there
    assert len(cases_of(client, auth)) == before
