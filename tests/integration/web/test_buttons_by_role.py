"""Every role sees only the buttons it may use: for each staff role, the case page, a live
room's page, a merchant's page and the work queues (listings, reviews, samples, credit,
integrity, opinion, reports) are rendered from the demo, and every
form they show is posted as a person would send it (its hidden fields, a choice in each
select, each submit button). None may be refused: a refusal means the page offered a
button the route will not honour."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote_plus

import pytest

from liveguard.cli import demo_data

ROLES = ["compliance", "case_handler", "regulator", "admin"]
USERS = {"compliance": "compliance", "case_handler": "cases", "regulator": "regulator"}
# the words of a refusal (web.refusal in labels.yaml, permissions.py's), as a redirect shows it
# the staff's own queues and desks, each with the forms it offers
WORK_QUEUES = [
    "/console/listings",
    "/console/reviews",
    "/console/samples",
    "/console/credit",
    "/console/integrity",
    "/console/opinion",
    "/console/reports",
]
REFUSED = re.compile(r"不能做这件事|只能查看|账号不能使用|表单已过期")


class Forms(HTMLParser):
    """The POST forms of a page: action, fields (name -> first value) and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a["action"], "fields": {}, "buttons": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "file"):
            self._form["fields"].setdefault(a["name"], a.get("value") or _filled(a))
        elif tag == "textarea" and a.get("name"):
            self._form["fields"][a["name"]] = "工作人员写的说明"
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and a.get("value"):
            self._form["fields"].setdefault(self._select, a["value"])
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form["buttons"].append((a.get("name"), a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _filled(attrs: dict[str, str]) -> str:
    if attrs.get("type") == "date":
        return "2026-12-01"
    if attrs.get("inputmode") == "decimal" or attrs.get("type") == "number":
        return "1"
    return "工作人员写的说明"


def post_every_form(client, path: str) -> list[str]:
    """Post each form on ``path`` with each of its buttons, reading the page afresh after
    each (a step taken changes the next ones offered); the refusals, in words."""
    tried: set[tuple[str, str | None, str]] = set()
    refused = []
    while True:
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        parser = Forms()
        parser.feed(page.text)
        todo = [
            (form, name, value)
            for form in parser.forms
            if form["action"] != "/console/logout"
            for name, value in form["buttons"] or [(None, "")]
            if (form["action"], name, value) not in tried
        ]
        if not todo:
            return refused
        form, name, value = todo[0]
        tried.add((form["action"], name, value))
        data = dict(form["fields"])
        if name:
            data[name] = value
        answer = client.post(form["action"], data=data, follow_redirects=False)
        error = re.search(r"error=([^&]*)", answer.headers.get("location", ""))
        said = unquote_plus(error.group(1)) if error else ""
        if answer.status_code == 403 or REFUSED.search(said):
            refused.append(f"{form['action']} {name}={value}: {answer.status_code} {said}")


def s1_pages(client) -> list[str]:
    """The S1 complaint, its room and the room's shop, found by their words and links (ids
    differ between backends)."""
    case = re.search(
        r'href="(/console/cases/\d+)">在直播间看中一件羽绒服', client.get("/console/cases").text
    ).group(1)
    room = re.search(
        r'href="(/console/live/\d+)">暖冬服饰 年货节羽绒服专场<', client.get("/console/live").text
    ).group(1)
    shop = re.search(r'href="(/console/merchants/\d+)">暖冬服饰旗舰店<', client.get(room).text)
    return [case, room, shop.group(1)]


@pytest.mark.parametrize("role", ROLES)
def test_no_role_is_offered_a_button_its_route_refuses(app, client, clock, role):
    assert demo_data.load(app.state.settings, clock=clock)
    user = USERS.get(role, role)
    signed = client.post("/console/login", data={"username": user, "password": f"demo-{user}"})
    assert signed.status_code == 200, signed.text
    refused = []
    for path in (*s1_pages(client), *WORK_QUEUES):
        refused += post_every_form(client, path)
    assert refused == []
