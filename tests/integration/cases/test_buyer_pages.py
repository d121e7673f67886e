"""A buyer on her own: sign up with recovery codes shown once, sign in (throttled like
staff), recover with a code; the complaint form in her words (room code, listing by name,
the amount as she writes it), with mistakes shown by their field and her input kept; a
complaint filed without an account, found again by its tracking code or secret link;
"not found" and "not yours" as Chinese pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from liveguard.auth.throttle import PER_ACCOUNT
from liveguard.cases.models import Case
from liveguard.db import transaction
from liveguard.live import service as live_service
from liveguard.parties import service as parties_service
from tests.integration.cases.conftest import JACKET

PHONE = "13912340001"
PASSWORD = "winter-jacket-669"
PYTHON_TEXT = ("Traceback", "ValueError", "pydantic", "Field required", "Input should be")


def sign_up(client, phone: str = PHONE, password: str = PASSWORD, nickname: str = "小王"):
    return client.post(
        "/my/signup", data={"nickname": nickname, "phone": phone, "password": password}
    )


def codes_of(page: str) -> list[str]:
    return re.findall(r"<code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})</code>", page)


def room_code(app, session_id: int) -> str:
    with transaction(app.state.session_factory) as db_session:
        return live_service.get(db_session=db_session, session_id=session_id).room_code


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    return found.group(1) if found else ""


def once_of(page: str) -> str:
    found = re.search(r'name="once" value="([A-Za-z0-9_-]+)"', page)
    return found.group(1) if found else ""


def cases_filed(app) -> int:
    with transaction(app.state.session_factory) as db_session:
        return db_session.scalar(select(func.count()).select_from(Case)) or 0


def tracking_code(page: str) -> str:
    found = re.search(r'data-testid="tracking-code">(TS-[A-Z2-7-]+)<', page)
    return found.group(1) if found else ""


def file_form(client, data: dict[str, str], **kwargs):
    """Open the form as a browser does (its csrf and one-time seed), then send it."""
    form = client.get("/complain").text
    return client.post(
        "/complain", data=data | {"csrf": csrf_of(form), "once": once_of(form)}, **kwargs
    )


def complaint(app, world, **overrides: str) -> dict[str, str]:
    form = {
        "room": room_code(app, world.jacket_session),
        "listing": "羽绒服",
        "amount": "¥669",
        "channel": "wechat_qr",
        "problem": "not_as_described",
        "deceived": "yes",
        "summary": "扫码付款买的羽绒服是穿过的，卖家拒绝退货还拉黑了我。",
    }
    return form | overrides


def test_a_buyer_signs_up_sees_her_recovery_codes_once_and_is_signed_in(client):
    page = sign_up(client)
    assert page.status_code == 200
    assert len(codes_of(page.text)) == 8 and page.headers["cache-control"] == "no-store"
    assert "lg_session" in page.cookies
    mine = client.get("/my/complaints")
    assert mine.status_code == 200 and "剩余恢复码 Recovery codes left：8" in mine.text


def test_a_second_sign_up_with_the_same_number_is_told_to_sign_in(client):
    sign_up(client)
    client.cookies.clear()
    again = sign_up(client, nickname="另一个")
    assert again.status_code == 422 and "已经注册过" in again.text
    assert 'value="另一个"' in again.text  # what she typed is kept


def test_a_number_known_from_a_platform_cannot_be_claimed_by_signing_up(client, app, world):
    # the platform registered this buyer; typing her number is no proof it is hers
    with transaction(app.state.session_factory) as db_session:
        phone = parties_service.get_consumer(db_session=db_session, consumer_id=world.buyer)
        number = app.state.cipher.decrypt(phone.phone_enc, context="consumer.phone")
    taken = sign_up(client, phone=number)
    assert taken.status_code == 422 and "已有投诉记录" in taken.text
    assert "lg_session" not in taken.cookies


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"phone": "12345"}, "phone", "11 位手机号"),
        ({"password": "short"}, "password", "至少 8 位"),
        ({"nickname": ""}, "nickname", "请填写昵称"),
    ],
)
def test_a_bad_sign_up_comes_back_with_the_message_by_its_field(client, form, field, words):
    data = {"nickname": "小王", "phone": PHONE, "password": PASSWORD} | form
    page = client.post("/my/signup", data=data)
    assert page.status_code == 422
    assert f'id="{field}-error"' in page.text and words in page.text
    assert "lg_session" not in page.cookies


def test_she_signs_in_with_her_number_and_password(client):
    sign_up(client)
    client.cookies.clear()
    wrong = client.post("/my/login", data={"phone": PHONE, "password": "not-it-at-all"})
    assert wrong.status_code == 200 and "手机号或密码不对" in wrong.text
    right = client.post(
        "/my/login", data={"phone": "139 1234 0001", "password": PASSWORD}, follow_redirects=False
    )
    assert right.status_code == 303 and right.headers["location"] == "/my/complaints"
    assert client.get("/my/complaints").status_code == 200


def test_repeated_wrong_passwords_are_throttled_like_the_staff_sign_in(client, clock):
    sign_up(client)
    client.cookies.clear()
    for _ in range(PER_ACCOUNT.burst):
        assert (
            client.post("/my/login", data={"phone": PHONE, "password": "guess-guess"}).status_code
            == 200
        )
    throttled = client.post("/my/login", data={"phone": PHONE, "password": PASSWORD})
    assert throttled.status_code == 429 and "登录失败次数过多" in throttled.text
    clock.at += PER_ACCOUNT.refill
    signed_in = client.post("/my/login", data={"phone": PHONE, "password": PASSWORD})
    assert signed_in.url.path == "/my/complaints"


def test_a_recovery_code_sets_a_new_password_once(client):
    code = codes_of(sign_up(client).text)[0]
    client.cookies.clear()
    new = "a-brand-new-password"
    done = client.post(
        "/my/recover",
        data={"phone": PHONE, "code": code.lower(), "new_password": new},
        follow_redirects=False,
    )
    assert done.status_code == 303
    client.cookies.clear()
    assert client.post("/my/login", data={"phone": PHONE, "password": new}).status_code == 200
    client.cookies.clear()
    reused = client.post(
        "/my/recover", data={"phone": PHONE, "code": code, "new_password": "yet-another-one"}
    )
    assert reused.status_code == 200 and "已用过" in reused.text


def test_a_signed_in_buyer_files_from_the_room_code_and_follows_it_in_my_complaints(
    client, app, world
):
    sign_up(client)
    form = client.get(f"/complain?room={room_code(app, world.jacket_session)}")
    assert JACKET in form.text  # the room's listings, to pick by name
    filed = client.post(
        "/complain",
        data=complaint(app, world) | {"csrf": csrf_of(form.text), "once": once_of(form.text)},
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    case_page = client.get(filed.headers["location"])
    assert "谁负责" in case_page.text and "您可以得到" in case_page.text
    assert "¥669.00" in case_page.text
    mine = client.get("/my/complaints")
    assert "扫码付款买的羽绒服" in mine.text


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"amount": "两百块"}, "amount", "请用数字写金额"),
        ({"amount": "1e3"}, "amount", "请用数字写金额"),
        ({"amount": "0"}, "amount", "大于 0"),
        ({"room": "XH-000000"}, "room", "没有找到直播间"),
        ({"room": ""}, "room", "请填写直播间号"),
        ({"listing": "空调"}, "listing", "没有名字含"),
        ({"channel": ""}, "channel", "怎么付款"),
        ({"summary": "坏"}, "summary", "至少 5 个字"),
    ],
)
def test_a_bad_complaint_comes_back_by_its_field_with_what_she_typed(
    client, app, world, overrides, field, words
):
    form = complaint(app, world, **overrides)
    page = client.post("/complain", data=form)
    assert page.status_code == 422
    assert f'id="{field}-error"' in page.text and words in page.text
    assert form["summary"] in page.text  # nothing she typed is lost


@pytest.mark.parametrize("amount", ["199", "199.9", "¥199", "199元", "￥199.90"])
def test_the_amount_is_read_as_she_writes_it(client, app, world, amount):
    page = file_form(client, complaint(app, world, amount=amount))
    assert page.status_code == 200, page.text
    assert "¥199." in page.text


def test_an_anonymous_complaint_gets_a_tracking_code_and_a_secret_link(client, app, world):
    page = file_form(client, complaint(app, world))
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    code = tracking_code(page.text)
    link = re.search(r'href="(/track/[^"]+)" data-testid="secret-link"', page.text).group(1)
    opened = client.get(link)
    assert opened.status_code == 200 and "扫码付款买的羽绒服" in opened.text
    by_code = client.post("/track", data={"code": code.lower().replace("-", " ")})
    assert by_code.status_code == 200 and "扫码付款买的羽绒服" in by_code.text
    wrong = client.post("/track", data={"code": "TS-AAAA-BBBB-CCCC"})
    assert wrong.status_code == 200 and "没有找到这个查询码" in wrong.text
    missing = client.get("/track/not-a-real-link")
    assert missing.status_code == 404 and "没有找到" in missing.text


def test_garbage_posted_to_every_buyer_form_never_shows_python_error_text(client, app, world):
    garbage = {"room": "\u0000' OR 1=1 --", "amount": "NaN", "listing": "😀" * 50, "x": "y"}
    pages = [
        client.post("/complain", data=garbage),
        client.post("/complain", data={}),
        client.post("/my/signup", data=garbage),
        client.post("/my/signup", data={}),
        client.post("/my/login", data=garbage),
        client.post("/my/recover", data={"code": "💥"}),
        client.post("/track", data=garbage),
        client.post("/console/consumer-login", data={}, follow_redirects=True),
        client.get("/my/complaints/not-a-number", follow_redirects=True),
        client.get("/complain?room=%00%FF"),
    ]
    sign_up(client)  # and the forms of a signed-in buyer
    csrf = csrf_of(client.get("/complain").text)
    pages += [
        client.post("/complain", data=garbage | {"csrf": csrf}),
        client.post("/console/my-data/requests", data={"csrf": csrf, "kind": "💥"}),
        client.post("/console/my-data/consents/abc/withdraw", data={"csrf": csrf}),
        client.post("/console/cases/abc/facts", data={"csrf": csrf}),
        client.post("/console/cases", data={"csrf": csrf, "summary": "x", "session_id": "z"}),
    ]
    for page in pages:
        assert page.status_code < 500, page.text
        for text in PYTHON_TEXT:
            assert text not in page.text, (page.request.url, text)


def test_not_found_and_not_yours_are_chinese_pages_and_the_api_keeps_json(client, app, world):
    missing = client.get("/listings/999999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "没有找到" in missing.text
    assert client.get("/no/such/page").headers["content-type"].startswith("text/html")
    api = client.get("/api/cases/999999", headers=world.as_consumer())
    assert api.headers["content-type"].startswith("application/problem+json")
    # another buyer's complaint: "not yours"
    sign_up(client)
    form = client.get("/complain")
    filed = client.post(
        "/complain",
        data=complaint(app, world) | {"csrf": csrf_of(form.text), "once": once_of(form.text)},
        follow_redirects=False,
    )
    client.cookies.clear()
    sign_up(client, phone="13912340002")
    theirs = client.get(filed.headers["location"])
    assert theirs.status_code == 403 and "这不是您的" in theirs.text
    assert theirs.headers["content-type"].startswith("text/html")


def test_the_same_form_sent_twice_files_one_case_and_shows_the_same_keys(client, app, world):
    before = cases_filed(app)
    form = client.get("/complain").text
    data = complaint(app, world) | {"csrf": csrf_of(form), "once": once_of(form)}
    first = client.post("/complain", data=data, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/complain/filed"
    shown = client.get("/complain/filed")
    code = tracking_code(shown.text)
    assert code and shown.headers["cache-control"] == "no-store"
    # back and resubmit, or a double click: the same form again
    again = client.post("/complain", data=data)
    assert again.status_code == 200 and tracking_code(again.text) == code
    # reloading the answer page: the same keys, nothing filed
    for _ in range(2):
        reloaded = client.get("/complain/filed")
        assert reloaded.status_code == 200 and tracking_code(reloaded.text) == code
    assert cases_filed(app) == before + 1
    by_code = client.post("/track", data={"code": code})
    assert "扫码付款买的羽绒服" in by_code.text


def test_the_same_form_from_another_browser_shows_the_case_but_never_files_again(
    client, app, world
):
    form = client.get("/complain").text
    data = complaint(app, world) | {"once": once_of(form)}
    code = tracking_code(client.post("/complain", data=data).text)
    client.cookies.clear()  # the answer's cookie lost (the first click's answer was dropped)
    before = cases_filed(app)
    again = client.post("/complain", data=data)
    assert tracking_code(again.text) == code and cases_filed(app) == before


def test_the_keys_are_shown_again_only_for_a_while(client, app, world, clock):
    code = tracking_code(file_form(client, complaint(app, world)).text)
    assert code
    clock.at += timedelta(hours=2)
    later = client.get("/complain/filed")
    assert later.status_code == 404 and code not in later.text
    assert "查询码已不再显示" in later.text and 'href="/track"' in later.text


def test_a_form_without_its_seed_files_nothing_until_she_confirms(client, app, world):
    before = cases_filed(app)
    data = complaint(app, world)
    page = client.post("/complain", data=data)
    assert page.status_code == 422 and "再点一次" in page.text
    assert data["summary"] in page.text and cases_filed(app) == before
    confirmed = client.post("/complain", data=data | {"once": once_of(page.text)})
    assert tracking_code(confirmed.text) and cases_filed(app) == before + 1


def test_a_signed_in_buyer_sending_her_form_twice_has_one_case(client, app, world):
    sign_up(client)
    form = client.get("/complain").text
    data = complaint(app, world) | {"csrf": csrf_of(form), "once": once_of(form)}
    before = cases_filed(app)
    first = client.post("/complain", data=data, follow_redirects=False)
    second = client.post("/complain", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert cases_filed(app) == before + 1
    mine = client.get("/my/complaints")
    assert mine.text.count("扫码付款买的羽绒服") == 1
