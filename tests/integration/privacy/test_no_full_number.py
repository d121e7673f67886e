"""A staff member whose role does not need it never sees the buyer's full phone number, by
any route or page: every route in the app's own route table is called, as compliance and
as a regulator, with the ids of S6's buyer, her shop, her consent, her request and her
case, and no answer carries the number. A case handler who states a purpose does see it
(so the walk can tell), and that view is logged."""

from __future__ import annotations

import re

import pytest

from liveguard.web.deps import SESSION_COOKIE
from tests.integration.test_access_matrix import csrf_for, routes

# compliance may call the most routes of any role without the reveal; a regulator reads
WITHOUT_THE_ROLE = {"compliance": {"GET", "POST", "PUT", "PATCH"}, "regulator": {"GET"}}


@pytest.fixture
def on_sqlite(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the routes' answers do not depend on the engine: walked once, on SQLite")


@pytest.fixture
def world(on_sqlite, client, s6, auth) -> dict[str, str]:
    consent = client.post(
        "/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers
    ).json()
    sent = client.post(
        "/api/privacy/marketing/send", json=s6.sms(s6.lin), headers=s6.shop.headers
    ).json()
    token = sent["decisions"][0]["message"].split("/u/")[1].split()[0]
    case = client.post(
        "/api/cases",
        # she writes her number into the complaint too: every page of the case shows it masked
        json={
            "summary": f"领券留了手机号{s6.lin_phone}后每月收到营销短信，退订无效",
            "merchant_id": s6.shop.id,
        },
        headers=s6.lin.headers,
    )
    assert case.status_code == 201, case.text
    request = client.post(
        "/api/privacy/me/requests", json={"kind": "export"}, headers=s6.lin.headers
    ).json()
    shown = client.post(
        f"/api/privacy/consumers/{s6.lin.id}/phone",
        json={"purpose": "contact_about_case"},
        headers=auth("case_handler"),
    )
    assert shown.json()["phone"] == s6.lin_phone  # the number is there to be found
    return {
        "consumer_id": str(s6.lin.id),
        "merchant_id": str(s6.shop.id),
        "consent_id": str(consent["id"]),
        "request_id": str(request["id"]),
        "case_id": str(case.json()["id"]),
        "token": token,
        "platform_id": str(s6.platform_id),
    }


def test_no_route_or_page_shows_her_full_number_to_staff_without_the_role(
    world, client, s6, token_for
):
    seen_masked = 0
    leaks = []
    for role, methods in WITHOUT_THE_ROLE.items():
        token = token_for(role)
        for method, path in routes(client.app):
            if method not in methods or path.endswith("/logout"):
                continue
            url = re.sub(r"\{(\w+)\}", lambda m: world.get(m.group(1), "1"), path)
            client.cookies.clear()
            if path.startswith("/api/") or path in ("/openapi.json",):
                kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
                if method != "GET":
                    kwargs["json"] = {"purpose": "contact_about_case"}
            else:
                kwargs = {"headers": {"Cookie": f"{SESSION_COOKIE}={token}"}}
                if method != "GET":
                    kwargs["data"] = {"csrf": csrf_for(token)}
            response = client.request(method, url, follow_redirects=False, **kwargs)
            body = response.text
            if s6.lin_phone in body or s6.lin_phone[3:] in body:
                leaks.append(f"{method} {path} as {role}: {response.status_code}")
            seen_masked += s6.lin_phone[-4:] in body and "****" in body
    assert leaks == []
    assert seen_masked >= 2  # the walk did reach her record, masked
