"""No page a person reads shows a bare internal code (issue 17: "Chinese first, no raw codes").

Generated from the app's own route table: the demo data is loaded, and each kind of caller
(anonymous, every staff role, a merchant, a consumer) opens every HTML page, its path filled
from demo rows (one per state where the rows have states, else a few). The visible text
(no tags, scripts, styles or attribute values) must not contain, as a whole word, any code
of the label catalogue (``data/labels.yaml``): ``with_merchant``, ``return_refund``,
``active``, ``food``. The catalogue's own English words are taken out first, so a staff
page's "已转商家处理 With the merchant" is not read as the code ``merchant``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import text

from liveguard import labels, migrations
from liveguard.auth import case_keys
from liveguard.auth import service as auth_service
from liveguard.cli import demo_data
from liveguard.clock import FixedClock
from liveguard.db import transaction
from liveguard.vocab import PrincipalKind
from liveguard.web.app import create_app
from liveguard.web.deps import SESSION_COOKIE
from liveguard.web.list_pages import LIST_SPECS
from tests import factories

# Not pages a person reads as text: the API, its docs, images and PDFs (checked apart).
NOT_PAGES = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/static")


# Demo rows for each path parameter: one per state where the table has states.
ROWS = {
    "merchant_id": "SELECT MIN(id) FROM merchants GROUP BY status",
    "session_id": "SELECT id FROM live_sessions ORDER BY id",
    "listing_id": "SELECT MIN(id) FROM listings GROUP BY status",
    "case_id": "SELECT MIN(id) FROM cases GROUP BY state",
    "finding_id": "SELECT id FROM integrity_findings ORDER BY id LIMIT 3",
    "report_id": "SELECT id FROM reports ORDER BY id LIMIT 3",
    "proceeding_id": "SELECT MIN(id) FROM credit_proceedings GROUP BY state",
    "anchor_id": "SELECT MIN(id) FROM anchors GROUP BY status",
    "token": "SELECT unsubscribe_token FROM privacy_consents ORDER BY id LIMIT 2",
}
STAFF_USERS = {"admin": "admin", "compliance": "compliance", "cases": "case_handler"}
STAFF_USERS["regulator"] = "regulator"
CALLERS = ["anonymous", *STAFF_USERS.values(), "merchant", "consumer"]


class VisibleText(HTMLParser):
    """The words a reader sees: character data outside script and style. Literal machine
    text a page shows on purpose is not read: a command in <code>/<kbd>/<pre>, and a
    person's or shop's own name marked translate="no" (the HTML way to say "a name, keep
    as is"), so a user called "admin" is not taken for the role code."""

    HIDDEN = frozenset({"script", "style", "template", "noscript", "code", "kbd", "pre"})
    VOID = frozenset(
        {"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "source", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[bool] = []  # per open element: is its text hidden

    @property
    def hidden(self) -> bool:
        return any(self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        self.open.append(tag in self.HIDDEN or ("translate", "no") in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)
        else:
            self.parts.append(" ")


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


# The catalogue's kinds of codes (not the CLI's sentences, kinds cli.*).
KINDS = {k: v for k, v in labels.catalogue().kinds.items() if not k.startswith("cli.")}


def _codes() -> set[str]:
    return {
        code
        for codes in KINDS.values()
        for code, words in codes.items()
        if re.fullmatch(r"[a-z][a-z_]+", code) and code != words.zh
    }


CODES = _codes()
CODE = re.compile(
    r"(?<![\w./-])(" + "|".join(sorted(CODES, key=len, reverse=True)) + r")(?![\w/-])"
)
ENGLISH = sorted(
    {w.en for codes in KINDS.values() for w in codes.values()},
    key=len,
    reverse=True,
)


def _shown(html: str) -> str:
    shown = " ".join(visible_text(html).split())
    for words in ENGLISH:  # the catalogue's own words are what a code should become
        shown = shown.replace(words, " ")
    return shown


def _bare(shown: str) -> Iterator[re.Match[str]]:
    """Codes with an underscore always; a one-word code (``active``, ``food``) unless it
    sits in English prose: a run of Latin words around it holds a word that is no code
    ("Red and black list", "Which live room"), while "cash other" is two codes in a row."""
    for match in CODE.finditer(shown):
        if "_" not in match.group(1):
            before = re.search(r"((?:[A-Za-z_']+\s+)*)$", shown[: match.start()])
            after = re.match(r"((?:\s+[A-Za-z_']+)*)", shown[match.end() :])
            run = (before.group(1) if before else "").split() + (
                after.group(1) if after else ""
            ).split()
            if any(word not in CODES for word in run):
                continue
        yield match


def bare_codes(html: str) -> list[str]:
    return sorted({match.group(1) for match in _bare(_shown(html))})


def where(html: str) -> list[str]:
    """Each bare code with the words around it, for the failure message."""
    shown = _shown(html)
    seen: dict[str, str] = {}
    for match in _bare(shown):
        around = shown[max(0, match.start() - 15) : match.end() + 15]
        seen.setdefault(match.group(1), f"{match.group(1)} in «{around}»")
    return sorted(seen.values())


@dataclass
class Demo:
    client: TestClient
    sessions: dict[str, str]  # caller -> console session token
    ids: dict[str, list[str]]
    page_routes: list[str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, clock: FixedClock) -> Iterator[Demo]:
    data_dir: Path = tmp_path_factory.mktemp("rawcodes")
    url = f"sqlite:///{data_dir / 'liveguard.db'}"
    migrations.upgrade(url)
    app = create_app(factories.settings(data_dir, url), clock=clock)
    assert demo_data.load(app.state.settings, clock=clock)
    sessions: dict[str, str] = {}
    with transaction(app.state.session_factory) as db:
        ids = {
            name: [str(row[0]) for row in db.execute(text(query))] for name, query in ROWS.items()
        }
        ids["name"] = list(LIST_SPECS)  # /console/lists/{name}: every list the console has
        # /track/{secret}: a secret link is kept only as its hash, so issue one for a case
        first_case = int(ids["case_id"][0])
        ids["secret"] = [case_keys.issue(db_session=db, case_id=first_case, now=clock.now()).secret]
        for username, role in STAFF_USERS.items():
            staff_id = db.execute(
                text("SELECT id FROM staff WHERE username = :u"), {"u": username}
            ).scalar_one()
            sessions[role] = auth_service.issue(
                db_session=db, principal_kind=PrincipalKind.staff, principal_id=staff_id, label="t"
            )
        merchant_id = (
            db.execute(  # the shop with the most listings
                text("SELECT merchant_id FROM listings GROUP BY merchant_id ORDER BY COUNT(*) DESC")
            )
            .scalars()
            .first()
        )
        consumer_id = (
            db.execute(  # the buyer with the most complaints
                text(
                    "SELECT consumer_id FROM cases WHERE consumer_id IS NOT NULL"
                    " GROUP BY consumer_id ORDER BY COUNT(*) DESC"
                )
            )
            .scalars()
            .first()
        )
        for kind, owner in (
            (PrincipalKind.merchant, merchant_id),
            (PrincipalKind.consumer, consumer_id),
        ):
            assert owner is not None, f"the demo has no {kind.value} to sign in as"
            sessions[kind.value] = auth_service.issue(
                db_session=db, principal_kind=kind, principal_id=owner, label="t"
            )
    page_routes = sorted(
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and "GET" in context.original_route.methods
        and not context.path.startswith(NOT_PAGES)
        and not context.path.endswith(("/pdf", "/frames/{seq}", ".csv", "/export"))
    )
    with TestClient(app) as client:
        yield Demo(client, sessions, ids, page_routes)


def urls(demo: Demo, path: str) -> list[str]:
    names = re.findall(r"\{(\w+)\}", path)
    if not names:
        return [path]
    missing = [n for n in names if not demo.ids.get(n)]
    assert not missing, f"{path}: no demo rows for {missing}; add a query to ROWS"
    values = demo.ids[names[0]]
    return [path.replace("{" + names[0] + "}", value) for value in values]


def test_the_route_table_yields_the_pages_people_read(demo: Demo) -> None:
    assert {"/", "/console/cases/{case_id}", "/console/reviews", "/credit"} <= set(demo.page_routes)
    assert "food" in CODES and "with_merchant" in CODES and "active" in CODES


def test_a_bare_code_in_visible_text_is_found_and_words_are_not() -> None:
    page = '<p title="with_merchant">已转商家处理 With the merchant</p><script>"food"</script>'
    assert bare_codes(page) == []
    assert bare_codes("<td>return_refund</td><td>active</td>") == ["active", "return_refund"]
    assert bare_codes("<p>Red and black list lookup</p><code>--schedule daily</code>") == []
    assert bare_codes('<span translate="no">admin</span> · 系统管理员') == []
    assert bare_codes("鲜果直供农场 pending 主体名称 (on_sale)") == ["on_sale", "pending"]


@pytest.mark.parametrize("caller", CALLERS)
def test_no_page_shows_a_bare_code(demo: Demo, caller: str) -> None:
    client = demo.client
    found: dict[str, list[str]] = {}
    opened = 0
    for path in demo.page_routes:
        for url in urls(demo, path):
            client.cookies.clear()
            if caller != "anonymous":
                client.cookies.set(SESSION_COOKIE, demo.sessions[caller])
            response = client.get(url, follow_redirects=False)
            if response.status_code != 200 or "text/html" not in response.headers.get(
                "content-type", ""
            ):
                continue
            opened += 1
            if codes := where(response.text):
                found[url] = codes
    assert opened, f"{caller} opened no page"
    assert not found, "bare codes on pages:\n" + "\n".join(
        f"{url}: {'; '.join(codes)}" for url, codes in found.items()
    )
