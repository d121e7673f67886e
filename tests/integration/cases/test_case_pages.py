"""The case pages over HTTP: a consumer signs in with her token and sees only her cases,
answers a question through the form, downloads her bundle; case staff take every step of
the workflow through the console forms, up to the public record."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from tests.integration.cases.conftest import s1_complaint
from tests.integration.cases.test_buyer_pages import once_of


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def consumer_signs_in(client, world, who: str = "buyer") -> None:
    client.cookies.clear()
    signed = client.post(
        "/console/consumer-login", data={"token": world.tokens[who]}, follow_redirects=False
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/console/cases"


def staff_signs_in(client, token_for) -> None:
    client.cookies.clear()
    token_for("case_handler", username="zhou")
    signed = client.post(
        "/console/login",
        data={"username": "zhou", "password": "correct horse battery", "next": "/console/cases"},
        follow_redirects=False,
    )
    assert signed.status_code == 303


def test_a_consumer_sees_her_own_case_and_its_answer_only(client, world):
    mine = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer())
    theirs = client.post(
        "/api/cases", json=s1_complaint(world), headers=world.as_consumer("other_buyer")
    )
    consumer_signs_in(client, world)
    listing = client.get("/console/cases")
    assert f'data-case="{mine.json()["id"]}"' in listing.text
    assert f'data-case="{theirs.json()["id"]}"' not in listing.text
    page = client.get(f"/console/cases/{mine.json()['id']}")
    assert page.status_code == 200
    assert 'data-role="account_holder"' in page.text and "¥2,007.00" in page.text
    assert "transition" not in page.text  # no staff steps for her
    assert client.get(f"/console/cases/{theirs.json()['id']}").status_code == 404


def test_a_bad_token_does_not_sign_in(client, world, auth):
    client.cookies.clear()
    wrong = client.post("/console/consumer-login", data={"token": "lg_nope"})
    assert "consumer-login" in str(wrong.url) and "error=" in str(wrong.url)
    staff_token = auth("case_handler")["Authorization"].removeprefix("Bearer ")
    staff = client.post("/console/consumer-login", data={"token": staff_token})
    assert "这不是消费者的令牌" in staff.text or "error=" in str(staff.url)


def test_signing_out_of_the_console_leaves_her_api_token_working(client, world):
    consumer_signs_in(client, world)
    page = client.get("/console/cases")
    assert "lg_session" in client.cookies and client.cookies["lg_session"] != world.tokens["buyer"]
    out = client.post("/console/logout", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    assert client.get("/api/auth/me", headers=world.as_consumer()).status_code == 200


def test_she_answers_a_question_through_the_form_and_the_answer_changes(client, world):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    consumer_signs_in(client, world)
    page = client.get(f"/console/cases/{case['id']}")
    assert 'data-question="knew_of_harm_on"' in page.text
    answered = client.post(
        f"/console/cases/{case['id']}/facts",
        data={"csrf": csrf_of(page), "fact_knew_of_harm_on": "2026-11-20"},
    )
    assert answered.status_code == 200 and "已保存" in answered.text
    assert 'data-question="knew_of_harm_on"' not in answered.text
    assert 'data-liability="disclose_identity"' in answered.text
    identity = client.post(
        f"/console/cases/{case['id']}/anchor-identity", data={"csrf": csrf_of(answered)}
    )
    assert identity.status_code == 200
    assert 'data-testid="real-name">Wang Xiaoming<' in identity.text
    history = client.get(f"/api/cases/{case['id']}", headers=world.as_consumer()).json()
    assert history["events"][-1]["data"]["disclosed"] == "anchor_identity"
    stale = client.post(
        f"/console/cases/{case['id']}/facts",
        data={"csrf": "0" * 64, "fact_wants_return": "yes"},
    )
    assert stale.status_code == 403


def test_she_downloads_her_evidence_bundle_from_the_page(client, world):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    consumer_signs_in(client, world)
    page = client.get(f"/console/cases/{case['id']}")
    response = client.post(f"/console/cases/{case['id']}/bundle", data={"csrf": csrf_of(page)})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(BytesIO(response.content)) as archive:
        assert "manifest.json" in archive.namelist()


def test_case_staff_take_every_step_in_the_console_up_to_the_public_record(
    client, world, token_for, auth
):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    staff_signs_in(client, token_for)
    url = f"/console/cases/{case['id']}"

    def step(path: str, **data: str) -> str:
        page = client.get(url)
        done = client.post(f"{url}/{path}", data={"csrf": csrf_of(page), **data})
        assert done.status_code == 200
        assert "error=" not in str(done.url), str(done.url)
        return done.text

    step("transition", to_state="accepted")
    step("transition", to_state="with_merchant")
    step("answers", party="anchor", text="主播称已把钱退回。")
    step("transition", to_state="mediation")
    step("notes", text="电话调解，主播同意退款。")
    refused = client.post(
        f"{url}/transition", data={"csrf": csrf_of(client.get(url)), "to_state": "decided"}
    )
    assert refused.status_code == 422  # decided only by recording the decision
    assert "通过记录" in refused.text
    typed = {"outcome": "主播退款669元并赔偿2007元", "amount_yuan": "两千六"}
    wrong = client.post(f"{url}/decision", data={"csrf": csrf_of(client.get(url)), **typed})
    assert wrong.status_code == 422 and "请用数字写金额" in wrong.text
    assert typed["outcome"] in wrong.text and 'value="两千六"' in wrong.text  # kept
    step("decision", outcome="主播退款669元并赔偿2007元", amount_yuan="2676")
    # paid off the platform: the shop is not the seller, its deposit does not pay
    page = client.get(url)
    refused = client.post(f"{url}/compensation", data={"csrf": csrf_of(page), "amount_yuan": "669"})
    assert refused.status_code == 422 and "不承担责任" in refused.text
    assert 'value="669"' in refused.text  # what staff typed, kept
    preview = client.get(url).text
    assert 'data-testid="publication-preview"' in preview
    text = step("publish", confirm=re.search(r'name="confirm" value="([0-9a-f]{64})"', preview)[1])
    assert 'data-testid="public-link"' in text
    assert 'data-testid="case-state" data-state="decided"' in text
    listed = client.get("/complaints")
    assert f'href="/complaints/{case["id"]}"' in listed.text
    public = client.get(f"/complaints/{case['id']}")
    assert "暖冬服饰" in public.text and "王女士" not in public.text
    deposit = client.get(
        f"/api/merchants/{world.jacket_shop}/deposit", headers=auth("compliance")
    ).json()
    assert deposit["balance_fen"] == 500000


def test_she_files_through_the_form_with_her_evidence_files(client, world, app):
    consumer_signs_in(client, world)
    form = client.get("/console/cases/new")
    assert 'name="consumer_id"' not in form.text  # she files as herself
    photo = b"\x89PNG\r\n\x1a\n stained collar"
    filed = client.post(
        "/console/cases",
        data={
            "csrf": csrf_of(form),
            "once": once_of(form.text),
            "summary": "主播让扫码付款，衣服是旧的。",
            "session_id": str(world.jacket_session),
            "occurred_at": (world.jacket_started.replace(tzinfo=None)).isoformat()[:16],
            "paid": "off_platform",
            "payment_channel": "wechat_qr",
            "price_yuan": "669",
            "defect": "not_as_described",
            "misrepresented_knowingly": "yes",
        },
        files=[
            ("evidence", ("collar.png", photo, "image/png")),
            ("evidence", ("", b"", "application/octet-stream")),
        ],
    )
    assert filed.status_code == 200 and "已保存" in filed.text, filed.text
    case_id = int(str(filed.url).split("/console/cases/")[1].split("?")[0])
    files = client.get(f"/api/cases/{case_id}", headers=world.as_consumer()).json()["files"]
    assert "collar.png" in filed.text, files
    assert 'data-amount="200700"' in filed.text
    assert [f["file_name"] for f in files] == ["collar.png"]
    assert app.state.blobs.get(files[0]["sha256"]) == photo


def test_a_form_with_a_mistake_comes_back_with_the_reason(client, world):
    consumer_signs_in(client, world)
    form = client.get("/console/cases/new")
    data = {"csrf": csrf_of(form), "once": once_of(form.text), "summary": "东西坏了，退不了"}
    back = client.post("/console/cases", data=data)
    assert back.status_code == 422 and "请说明在哪里买的" in back.text  # the reason, in words
    assert "东西坏了，退不了" in back.text  # what she typed, kept
    assert client.get("/api/cases", headers=world.as_consumer()).json() == []


def test_no_identity_is_handed_over_when_the_answer_does_not_require_it(client, world):
    bare = {"summary": "买的东西有问题，商家不理我。", "merchant_id": world.jacket_shop}
    case = client.post("/api/cases", json=bare, headers=world.as_consumer()).json()
    duties = [p for p in case["resolution"]["parties"] if p["liability"] == "disclose_identity"]
    assert duties == []
    consumer_signs_in(client, world)
    page = client.get(f"/console/cases/{case['id']}")
    assert 'data-testid="anchor-identity"' not in page.text
    refused = client.post(
        f"/console/cases/{case['id']}/anchor-identity", data={"csrf": csrf_of(page)}
    )
    assert "error=" in str(refused.url)


def test_money_is_answered_in_yuan_and_kept_in_fen(client, world):
    bare = {"summary": "买的东西有问题，商家不理我。", "merchant_id": world.jacket_shop}
    case = client.post("/api/cases", json=bare, headers=world.as_consumer()).json()
    consumer_signs_in(client, world)
    page = client.get(f"/console/cases/{case['id']}")
    answered = client.post(
        f"/console/cases/{case['id']}/facts",
        data={"csrf": csrf_of(page), "fact_price_paid_fen": "669.5", "fact_channel": "platform"},
    )
    assert answered.status_code == 200 and "已保存" in answered.text
    facts = client.get(f"/api/cases/{case['id']}", headers=world.as_consumer()).json()["facts"]
    assert (facts["price_paid_fen"], facts["channel"]) == (66950, "platform")


def test_a_sale_with_no_platform_is_filed_through_the_form_with_what_she_claims(client, world):
    consumer_signs_in(client, world)
    form = client.get("/console/cases/new")
    assert 'value="direct"' in form.text and 'name="claimed"' in form.text
    filed = client.post(
        "/console/cases",
        data={
            "csrf": csrf_of(form),
            "once": once_of(form.text),
            "summary": "朋友圈找的上门保洁，收了300元一直不来，只退了100元。",
            "paid": "direct",
            "live_room": "no",
            "subject": "service",
            "defect": "not_delivered",
            "price_yuan": "300",
            "refunded_yuan": "100",
            "claimed": ["refund"],
        },
    )
    assert filed.status_code == 200 and "已保存" in filed.text, filed.text
    case_id = int(str(filed.url).split("/console/cases/")[1].split("?")[0])
    case = client.get(f"/api/cases/{case_id}", headers=world.as_consumer()).json()
    assert [p["role"] for p in case["resolution"]["parties"]] == ["seller"]
    assert [(r["kind"], r["amount_fen"]) for r in case["resolution"]["remedies"]] == [
        ("refund", 20000)
    ]
    assert "直播间" not in " ".join(q["question_zh"] for q in case["resolution"]["questions"])


def test_the_api_takes_the_new_facts_and_a_choice_of_several_is_answered_on_the_page(client, world):
    offline = {
        "summary": "超市买到过期饼干。",
        "facts": {
            "channel": "offline",
            "category": "food",
            "sold_past_shelf_life": True,
            "seller_is_producer": False,
            "price_paid_fen": 3000,
        },
    }
    case = client.post("/api/cases", json=offline, headers=world.as_consumer()).json()
    kinds = {(p["role"], p["liability"]) for p in case["resolution"]["parties"]}
    assert kinds == {("seller", "sole"), ("producer", "first_responsible")}
    owed = {r["kind"]: r["amount_fen"] for r in case["resolution"]["remedies"]}
    assert owed == {"return_refund": 3000, "food_damages": 100000}
    consumer_signs_in(client, world)
    page = client.get(f"/console/cases/{case['id']}")
    assert 'name="fact_standard_terms"' not in page.text  # not asked: no answer turns on it
    answered = client.post(
        f"/console/cases/{case['id']}/facts",
        data={"csrf": csrf_of(page), "fact_standard_terms": ["no_returns", "final_interpretation"]},
    )
    assert answered.status_code == 200 and "已保存" in answered.text
    facts = client.get(f"/api/cases/{case['id']}", headers=world.as_consumer()).json()["facts"]
    assert facts["standard_terms"] == ["no_returns", "final_interpretation"]
    assert "售出概不退换" in answered.text
