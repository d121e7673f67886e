"""The console's privacy pages: the buyer's own page (who holds her data, the coupon
consent marked as such, withdraw in one click, ask for deletion with its due date, who
looked), and the admin's page (the request carried out, store by store; refused sends per
shop; every full view)."""

from __future__ import annotations

from liveguard.web.deps import SESSION_COOKIE
from tests.integration.test_access_matrix import csrf_for


def _session(client, headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    client.cookies.set(SESSION_COOKIE, token)
    return token


def test_the_buyer_withdraws_and_asks_for_deletion_from_her_page(client, s6, auth):
    consent = client.post(
        "/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers
    ).json()
    client.post(
        f"/api/privacy/consumers/{s6.lin.id}/phone",
        json={"purpose": "contact_about_case"},
        headers=auth("case_handler"),
    )
    token = _session(client, s6.lin.headers)
    page = client.get("/console/my-data")
    assert page.status_code == 200
    assert "以领取优惠为条件取得的同意" in page.text and "20 元无门槛优惠券" in page.text
    assert "就投诉与买家本人联系" in page.text and "手机号码" in page.text
    assert s6.lin_phone not in page.text

    done = client.post(
        f"/console/my-data/consents/{consent['id']}/withdraw",
        data={"csrf": csrf_for(token)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'data-testid="withdrawn"' in client.get("/console/my-data").text

    client.post(
        "/console/my-data/requests",
        data={"csrf": csrf_for(token), "kind": "deletion"},
        follow_redirects=False,
    )
    page = client.get("/console/my-data").text
    assert 'data-kind="deletion" data-status="open"' in page and "15 个工作日内" in page

    admin = _session(client, auth("admin"))
    queue = client.get("/console/privacy").text
    assert "处理中" in queue
    [request] = client.get("/api/privacy/requests", headers=auth("admin")).json()
    client.post(
        f"/console/privacy/requests/{request['id']}/decision",
        data={"csrf": csrf_for(admin)},
        follow_redirects=False,
    )
    queue = client.get("/console/privacy").text
    assert "已办结" in queue and 'data-outcome="ledger_key_destroyed"' in queue


def test_staff_other_than_admins_are_sent_to_sign_in_from_the_privacy_page(client, auth):
    _session(client, auth("compliance"))
    answer = client.get("/console/privacy", follow_redirects=False)
    assert answer.status_code == 303 and "/login" in answer.headers["location"]


def test_a_request_carried_out_twice_is_refused_in_chinese_on_the_admin_page(client, s6, auth):
    token = _session(client, s6.lin.headers)
    client.post(
        "/console/my-data/requests",
        data={"csrf": csrf_for(token), "kind": "deletion"},
        follow_redirects=False,
    )
    [request] = client.get("/api/privacy/requests", headers=auth("admin")).json()
    admin = _session(client, auth("admin"))
    url = f"/console/privacy/requests/{request['id']}/decision"
    client.post(url, data={"csrf": csrf_for(admin)}, follow_redirects=False)
    again = client.post(url, data={"csrf": csrf_for(admin)})
    assert again.status_code == 200 and 'role="alert"' in again.text
    assert "这个申请已经办结：如需再次办理，请提交新的申请" in again.text
    assert "already closed" not in again.text


def test_a_full_view_refused_to_a_role_says_who_may_in_chinese(client, s6, auth):
    answer = client.post(
        f"/api/privacy/consumers/{s6.lin.id}/phone",
        json={"purpose": "no_such_purpose"},
        headers=auth("case_handler"),
    )
    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert problem["field"] == "purpose"  # the API's code stays; the words are Chinese
    assert "不是可以查看完整" in problem["message"] and "可以选的用途" in problem["fix"]
