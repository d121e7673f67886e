"""A refusal reaches a person in Chinese, on the page she posted from.

Generated over the app's form routes: every form a buyer or case staff posts (the
complaint forms, the case's steps, the sign-ins) is in ``REFUSED`` with a value its
service refuses, or in ``ELSEWHERE`` with where it is checked or why it refuses nothing.
Each refused form is posted, its answer followed to the page a browser shows, and every
error box on it (``role="alert"``) read: there must be one, and no sentence in it may be
ASCII only (an English service text, a field code, Python's words). A new form route
fails ``test_every_form_route_is_covered`` until it is added to one of the two tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from tests.integration.cases.conftest import s1_complaint
from tests.integration.cases.test_buyer_pages import complaint, csrf_of, once_of, sign_up
from tests.integration.cases.test_case_form import buyer_phone
from tests.integration.cases.test_case_pages import consumer_signs_in, staff_signs_in

HAN = re.compile(r"[\u4e00-\u9fff]")
ALERT = re.compile(r'<(p|span|div)\b[^>]*role="alert"[^>]*>(.*?)</\1>', re.S)
TAG = re.compile(r"<[^>]+>")
SENTENCE_END = re.compile(r"[。；;！？!?\n]")
LONG = "很长" * 2600  # over the 5,000 characters a complaint's summary may have


def alerts(page: str) -> list[str]:
    return [unescape(TAG.sub("", inner)).strip() for _, inner in ALERT.findall(page)]


def ascii_only_sentences(text: str) -> list[str]:
    """The sentences of ``text`` with words in them but not one Chinese character."""
    return [
        s.strip()
        for s in SENTENCE_END.split(text)
        if re.search(r"[A-Za-z]{2,}", s) and not HAN.search(s)
    ]


class Poster:
    """What a test needs to post forms: the client, the app, the recorded world and a
    way to make staff."""

    def __init__(self, client: Any, app: Any, world: Any, token_for: Any) -> None:
        self.client, self.app, self.world, self.token_for = client, app, world, token_for

    def case(self, **overrides: Any) -> dict[str, Any]:
        filed = self.client.post(
            "/api/cases",
            json=s1_complaint(self.world, **overrides),
            headers=self.world.as_consumer(),
        )
        assert filed.status_code == 201, filed.text
        return dict(filed.json())

    def staff(self, role: str) -> str:
        """Sign a new staff member of ``role`` in to the console; the page's CSRF token."""
        self.client.cookies.clear()
        username = f"{role}-refused"
        self.token_for(role, username=username)
        signed = self.client.post(
            "/console/login",
            data={"username": username, "password": "correct horse battery"},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        return csrf_of(self.client.get("/console/listings").text)

    def staff_step(self, step: str, **data: str) -> Any:
        case = self.case()
        staff_signs_in(self.client, self.token_for)
        url = f"/console/cases/{case['id']}"
        page = self.client.get(url)
        return self.client.post(f"{url}/{step}", data={"csrf": csrf_of(page.text), **data})


def _complain(p: Poster) -> Any:
    form = p.client.get("/complain").text
    data = complaint(p.app, p.world, summary=LONG[:5990]) | {"once": once_of(form)}
    return p.client.post("/complain", data=data)


def _console_complaint(p: Poster) -> Any:
    staff_signs_in(p.client, p.token_for)
    page = p.client.get("/console/cases/new").text
    data = {
        "csrf": csrf_of(page),
        "once": once_of(page),
        "consumer_phone": buyer_phone(p.app, p.world),
        "summary": "直播间付款后一直不发货。",
        "merchant_id": str(p.world.jacket_shop),
        "paid": "off_platform",
        "payment_channel": "platform",  # outside the platform, yet "through the platform"
    }
    return p.client.post("/console/cases", data=data)


def _facts(p: Poster) -> Any:
    case = p.case()
    consumer_signs_in(p.client, p.world)
    url = f"/console/cases/{case['id']}"
    page = p.client.get(url).text
    return p.client.post(
        f"{url}/facts", data={"csrf": csrf_of(page), "fact_knew_of_harm_on": "去年冬天"}
    )


def _anchor_identity(p: Poster) -> Any:
    # a complaint about a shop, no room: no anchor whose identity could be owed
    case = p.case(session_id=None, occurred_at=None, merchant_id=p.world.jacket_shop)
    staff_signs_in(p.client, p.token_for)
    page = p.client.get(f"/console/cases/{case['id']}").text
    return p.client.post(
        f"/console/cases/{case['id']}/anchor-identity", data={"csrf": csrf_of(page)}
    )


def _signed_up_then(path: str, data: dict[str, str]) -> Callable[[Poster], Any]:
    def post(p: Poster) -> Any:
        sign_up(p.client)
        p.client.cookies.clear()
        return p.client.post(path, data=data)

    return post


def _staff_login(p: Poster) -> Any:
    p.token_for("case_handler", username="zhou")
    return p.client.post(
        "/console/login", data={"username": "zhou", "password": "not the password"}
    )


def _consumer_login_with_staff_token(p: Poster) -> Any:
    return p.client.post("/console/consumer-login", data={"token": p.token_for("case_handler")})


def _listing_decision(p: Poster) -> Any:
    csrf = p.staff("compliance")
    url = f"/console/listings/{p.world.jacket_listing}/decision"
    return p.client.post(url, data={"csrf": csrf, "decision": "reject", "reason": ""})


def _sample(p: Poster) -> Any:
    csrf = p.staff("compliance")
    data = {
        "csrf": csrf,
        "listing_id": str(p.world.jacket_listing),
        "kind": "sampling",
        "bought_at": "2036-11-20T20:30",  # bought in the future
        "bought_by": "某市市场监督管理局",
        "tested_by": "某市纤维检验所",
        "test": "含绒量",
        "standard": "GB/T 14272-2021",
        "outcome": "failed",
        "batch": "B-1108",
        "failed": "含绒量 | 50% | ≥ 90%",
    }
    return p.client.post("/console/samples", data=data)


def _report(p: Poster) -> Any:
    csrf = p.staff("compliance")
    return p.client.post(
        "/console/reports", data={"csrf": csrf, "start": "2026-06-20", "end": "2026-06-01"}
    )


def _live_action(p: Poster) -> Any:
    csrf = p.staff("compliance")
    url = f"/console/live/{p.world.jacket_session}/actions"
    return p.client.post(url, data={"csrf": csrf, "kind": "warn_anchor", "reason": "引导私下交易"})


# form route -> how to post a value its service refuses (and the page it lands on)
REFUSED: dict[str, Callable[[Poster], Any]] = {
    "/complain": _complain,
    "/console/cases": _console_complaint,
    "/console/cases/{case_id}/facts": _facts,
    "/console/cases/{case_id}/transition": lambda p: p.staff_step(
        "transition", to_state="mediation"
    ),
    "/console/cases/{case_id}/answers": lambda p: p.staff_step(
        "answers", party="anchor", text="主播称已经退款。"
    ),
    "/console/cases/{case_id}/notes": lambda p: p.staff_step("notes", text="电话调解。"),
    "/console/cases/{case_id}/decision": lambda p: p.staff_step(
        "decision", outcome="退", amount_yuan="669"
    ),
    "/console/cases/{case_id}/compensation": lambda p: p.staff_step(
        "compensation", amount_yuan="669"
    ),
    "/console/cases/{case_id}/publish": lambda p: p.staff_step("publish", confirm="0" * 64),
    "/console/cases/{case_id}/anchor-identity": _anchor_identity,
    "/my/signup": lambda p: p.client.post(
        "/my/signup", data={"nickname": "小王", "phone": "12345", "password": "long-enough-1"}
    ),
    "/my/login": _signed_up_then("/my/login", {"phone": "13912340001", "password": "wrong-one"}),
    "/my/recover": _signed_up_then(
        "/my/recover",
        {"phone": "13912340001", "code": "AAAA-BBBB-CCCC-DDDD", "new_password": "another-1"},
    ),
    "/track": lambda p: p.client.post("/track", data={"code": "TS-AAAA-BBBB-CCCC"}),
    "/console/consumer-login": _consumer_login_with_staff_token,
    "/console/login": _staff_login,
    "/console/listings/{listing_id}/decision": _listing_decision,
    "/console/samples": _sample,
    "/console/reports": _report,
    "/console/live/{session_id}/actions": _live_action,
    "/console/merchant/login": lambda p: p.client.post(
        "/console/merchant/login", data={"token": "lg_not-a-token"}
    ),
}

# Form routes not posted here, each with the reason. Their pages show refusals through
# web/refusal_words.said as these do (a Chinese sentence, never the English detail).
ELSEWHERE = {
    "/console/logout": "refuses nothing",
    "/console/cases/{case_id}/bundle": "answers a zip; its refusals are 403/404 pages",
    "/console/evidence/bundle": "answers a zip",
    "/u/{token}": "one-click unsubscribe: a wrong link is its own Chinese page",
    "/console/documents/{document_id}/review": "needs a submitted document",
    "/console/merchants/{merchant_id}/review": "needs a shop under review",
    "/console/merchant/listings/{listing_id}/appeal": "needs a merchant's own refused listing",
    "/console/live/findings/{finding_id}/dismiss": "live room actions: the live package's words",
    "/console/credit/{proceeding_id}/decision": "needs a credit proceeding",
    "/console/credit/{proceeding_id}/statement": "needs a credit proceeding",
    "/console/my-data/consents/{consent_id}/withdraw": "its refusal is the page's own Chinese",
    "/console/my-data/requests": "takes a choice from a list only",
    "/console/privacy/requests/{request_id}/decision": "needs a privacy request",
    "/console/opinion/alerts/{alert_id}/acknowledge": "needs a spike alert",
}


def form_routes(app: Any) -> set[str]:
    found = set()
    for context in iter_route_contexts(app.routes):
        methods = getattr(context.original_route, "methods", None) or set()
        if "POST" in methods and not context.path.startswith("/api/"):
            found.add(context.path)
    return found


def test_every_form_route_is_covered(app):
    routes = form_routes(app)
    assert sorted(routes - REFUSED.keys() - ELSEWHERE.keys()) == [], "add these forms"
    assert sorted((REFUSED.keys() | ELSEWHERE.keys()) - routes) == [], "these forms are gone"


@pytest.mark.parametrize("route", sorted(REFUSED))
def test_a_refused_form_says_why_in_chinese(client, app, world, token_for, route):
    page = REFUSED[route](Poster(client, app, world, token_for))
    assert page.status_code < 500, page.text
    boxes = [box for box in alerts(page.text) if box]
    assert boxes, f"{route}: no error box on {page.url}"
    for box in boxes:
        assert HAN.search(box), f"{route}: {box!r}"
        assert ascii_only_sentences(box) == [], f"{route}: {box!r}"
