"""Who may call what, generated from the app itself: every HTTP route, every WebSocket and
every event stream, times every kind of caller, against one table written here once.

A route the table does not list fails the run, so a new route has to declare its access.
The table is about each route's gate, the role a caller needs to get in: a refused caller
gets 401 (nobody signed in) or 403 (signed in, wrong kind or role), and a console page
sends either to its sign-in page; an admitted one gets anything else (404 and 422 are
expected with dummy ids and empty bodies). Which record an admitted caller may touch (her
own case, its own shop) is decided in web/permissions and tested there, so the ids below
are the signed-in merchant's and consumer's own records where the app has them.

One app and one SQLite database for the whole matrix: the gates do not depend on the
database engine, and every other integration test runs on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount
from starlette.websockets import WebSocketDisconnect

from liveguard import migrations
from liveguard.auth import service as auth_service
from liveguard.clock import FixedClock
from liveguard.db import transaction
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import StaffCreate
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.app import create_app
from liveguard.web.deps import SESSION_COOKIE, csrf_token
from tests import factories
from tests.integration.catalog.conftest import Shop, listing, upload_document

# --- who calls ------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
ADMIN, COMPLIANCE_ROLE, CASE_HANDLER, REGULATOR = (r.value for r in StaffRole)
MERCHANT, CONSUMER = PrincipalKind.merchant.value, PrincipalKind.consumer.value
PRINCIPALS = (ANONYMOUS, *(r.value for r in StaffRole), MERCHANT, CONSUMER)

# --- the policies: who gets past a route's gate ---------------------------------------------

STAFF = frozenset(r.value for r in StaffRole)
PUBLIC = frozenset(PRINCIPALS)
SIGNED_IN = PUBLIC - {ANONYMOUS}  # then web/permissions decides on the record
ANY_STAFF = STAFF
COMPLIANCE = frozenset({ADMIN, COMPLIANCE_ROLE})
CASE_WORK = COMPLIANCE | {CASE_HANDLER}
SAMPLING = COMPLIANCE | {REGULATOR}  # a market regulator records sample tests too
ADMIN_ONLY = frozenset({ADMIN})
STAFF_OR_MERCHANT = STAFF | {MERCHANT}  # the merchant: its own records
STAFF_OR_CONSUMER = STAFF | {CONSUMER}  # the consumer: her own records
COMPLIANCE_OR_MERCHANT = COMPLIANCE | {MERCHANT}
MERCHANT_ONLY = frozenset({MERCHANT})
CONSUMER_ONLY = frozenset({CONSUMER})  # her own personal data
PHONE_REVEALERS = frozenset({ADMIN, CASE_HANDLER})  # privacy/data/policy.yaml: reveal
CASE_TEXT_REVEALERS = frozenset({ADMIN, CASE_HANDLER})  # the same file: case.text
LIVE_INGEST = COMPLIANCE  # events in, over HTTP and over the WebSocket alike

WS = "WEBSOCKET"
TOKENS_EACH = 3  # one for every call, and one for each of the two sign-out routes

ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): SIGNED_IN,
    ("GET", "/api/auth/me"): SIGNED_IN,
    ("POST", "/api/auth/tokens"): ADMIN_ONLY,
    ("POST", "/api/platforms"): ADMIN_ONLY,
    ("GET", "/api/platforms"): ANY_STAFF,
    ("POST", "/api/merchants"): COMPLIANCE,
    ("GET", "/api/merchants"): ANY_STAFF,
    ("GET", "/api/merchants/{merchant_id}"): STAFF_OR_MERCHANT,
    ("PUT", "/api/merchants/{merchant_id}/licence"): SIGNED_IN,
    ("GET", "/api/merchants/{merchant_id}/selling/{category}"): STAFF_OR_MERCHANT,
    ("GET", "/api/public/merchants/{merchant_id}"): PUBLIC,
    ("POST", "/api/anchors"): COMPLIANCE,
    ("GET", "/api/anchors"): ANY_STAFF,
    ("GET", "/api/anchors/{anchor_id}"): ANY_STAFF,
    ("POST", "/api/anchors/{anchor_id}/identity"): CASE_WORK,
    ("POST", "/api/mcns"): COMPLIANCE,
    ("GET", "/api/mcns"): ANY_STAFF,
    ("POST", "/api/relations"): COMPLIANCE,
    ("GET", "/api/relations"): ANY_STAFF,
    ("POST", "/api/consumers"): COMPLIANCE,
    ("GET", "/api/consumers/{consumer_id}"): STAFF_OR_CONSUMER,
    ("POST", "/api/staff"): ADMIN_ONLY,
    ("GET", "/api/staff"): ADMIN_ONLY,
    ("POST", "/api/merchants/{merchant_id}/review"): COMPLIANCE,
    ("GET", "/api/merchants/{merchant_id}/decisions"): STAFF_OR_MERCHANT,
    ("GET", "/api/merchants/{merchant_id}/documents"): STAFF_OR_MERCHANT,
    ("GET", "/api/merchants/{merchant_id}/deposit"): STAFF_OR_MERCHANT,
    ("POST", "/api/merchants/{merchant_id}/deposit/movements"): CASE_WORK,
    ("POST", "/api/anchors/{anchor_id}/review"): COMPLIANCE,
    ("POST", "/api/documents"): SIGNED_IN,
    ("GET", "/api/documents/{document_id}"): STAFF_OR_MERCHANT,
    ("GET", "/api/documents/{document_id}/file"): STAFF_OR_MERCHANT,
    ("POST", "/api/documents/{document_id}/review"): COMPLIANCE,
    ("GET", "/api/reviews"): ANY_STAFF,
    ("POST", "/api/reverification"): COMPLIANCE,
    ("POST", "/api/listings"): SIGNED_IN,
    ("GET", "/api/listings"): STAFF_OR_MERCHANT,
    ("GET", "/api/listings/review-queue"): ANY_STAFF,
    ("POST", "/api/listings/import"): COMPLIANCE_OR_MERCHANT,
    ("GET", "/api/listings/{listing_id}"): STAFF_OR_MERCHANT,
    ("PATCH", "/api/listings/{listing_id}"): SIGNED_IN,
    ("GET", "/api/listings/{listing_id}/versions"): STAFF_OR_MERCHANT,
    ("GET", "/api/listings/{listing_id}/reviews"): STAFF_OR_MERCHANT,
    ("POST", "/api/listings/{listing_id}/decision"): COMPLIANCE,
    ("POST", "/api/listings/{listing_id}/appeal"): SIGNED_IN,
    ("POST", "/api/listings/{listing_id}/publish"): COMPLIANCE_OR_MERCHANT,
    ("POST", "/api/listings/{listing_id}/unpublish"): COMPLIANCE_OR_MERCHANT,
    ("GET", "/api/public/listings/{listing_id}"): PUBLIC,
    ("POST", "/api/samples"): SAMPLING,
    ("GET", "/api/samples"): ANY_STAFF,
    ("GET", "/api/samples/failed"): ANY_STAFF,
    ("GET", "/api/samples/{sample_id}"): SIGNED_IN,
    ("GET", "/api/listings/{listing_id}/samples"): STAFF_OR_MERCHANT,
    ("POST", "/api/sessions"): COMPLIANCE,
    ("GET", "/api/sessions"): ANY_STAFF,
    ("GET", "/api/sessions/{session_id}"): ANY_STAFF,
    ("POST", "/api/sessions/{session_id}/events"): LIVE_INGEST,
    ("GET", "/api/sessions/{session_id}/events"): ANY_STAFF,
    (WS, "/api/sessions/{session_id}/events/ws"): LIVE_INGEST,
    ("GET", "/api/sessions/{session_id}/timeline"): ANY_STAFF,
    ("GET", "/api/sessions/{session_id}/stream"): ANY_STAFF,
    ("GET", "/api/sessions/{session_id}/refusals"): ANY_STAFF,
    ("GET", "/api/sessions/{session_id}/picture"): STAFF_OR_MERCHANT,
    ("POST", "/api/sessions/{session_id}/picture/check"): COMPLIANCE,
    ("POST", "/api/evidence/items"): COMPLIANCE,
    ("GET", "/api/evidence/items/{seq}"): ANY_STAFF,
    ("POST", "/api/evidence/subjects/{subject_ref}/erase"): ADMIN_ONLY,
    ("GET", "/api/evidence/items/{seq}/inclusion"): ANY_STAFF,
    ("GET", "/api/evidence/consistency"): PUBLIC,
    ("GET", "/api/evidence/checkpoints/latest"): PUBLIC,
    ("GET", "/api/evidence/checkpoints/{checkpoint_id}"): PUBLIC,
    ("POST", "/api/evidence/checkpoints"): COMPLIANCE,
    ("POST", "/api/evidence/bundles"): ANY_STAFF,
    ("GET", "/api/evidence/public-key"): PUBLIC,
    ("POST", "/api/detect"): STAFF_OR_MERCHANT,
    ("GET", "/api/detect/rules"): ANY_STAFF,
    ("GET", "/api/detect/rulesets/{platform}"): ANY_STAFF,
    ("GET", "/api/detect/rulesets/{platform}/{version}"): ANY_STAFF,
    ("PUT", "/api/detect/rulesets/{platform}"): COMPLIANCE,
    ("GET", "/api/live/rooms"): ANY_STAFF,
    ("GET", "/api/live/refusals"): ANY_STAFF,
    ("GET", "/api/live/bus"): ANY_STAFF,
    ("GET", "/api/public/live/{session_id}/warnings"): PUBLIC,
    ("GET", "/api/public/live/{session_id}/warnings/stream"): PUBLIC,
    ("POST", "/api/sessions/{session_id}/actions"): COMPLIANCE,
    ("GET", "/api/sessions/{session_id}/actions"): ANY_STAFF,
    ("POST", "/api/live/findings/{finding_id}/dismiss"): COMPLIANCE,
    ("POST", "/api/reports"): COMPLIANCE,
    ("GET", "/api/reports"): ANY_STAFF,
    ("GET", "/api/reports/harms"): ANY_STAFF,
    ("GET", "/api/reports/{report_id}"): ANY_STAFF,
    ("GET", "/api/reports/{report_id}/pdf"): ANY_STAFF,
    ("POST", "/api/cases"): SIGNED_IN,
    ("GET", "/api/cases"): SIGNED_IN,
    ("GET", "/api/cases/overdue"): ANY_STAFF,
    ("POST", "/api/cases/reminders"): CASE_WORK,
    ("GET", "/api/cases/{case_id}"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/facts"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/files"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/transition"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/answers"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/notes"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/decision"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/compensation"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/anchor-identity"): SIGNED_IN,
    ("POST", "/api/cases/{case_id}/bundle"): SIGNED_IN,
    ("GET", "/api/cases/{case_id}/publication"): CASE_WORK,
    ("POST", "/api/cases/{case_id}/publish"): SIGNED_IN,
    ("GET", "/api/public/cases"): PUBLIC,
    ("GET", "/api/public/cases/{case_id}"): PUBLIC,
    ("POST", "/api/orders"): CASE_WORK,
    ("GET", "/api/orders"): SIGNED_IN,
    ("GET", "/api/orders/{order_id}"): SIGNED_IN,
    ("POST", "/api/orders/{order_id}/status"): SIGNED_IN,
    ("POST", "/api/orders/{order_id}/promises"): SIGNED_IN,
    ("POST", "/api/listings/{listing_id}/promises"): SIGNED_IN,
    ("GET", "/api/merchants/{merchant_id}/breaches"): STAFF_OR_MERCHANT,
    ("POST", "/api/trade/check-promises"): COMPLIANCE,
    ("GET", "/api/public/credit/rules"): PUBLIC,
    ("GET", "/api/public/credit"): PUBLIC,
    ("GET", "/api/public/credit/{proceeding_id}"): PUBLIC,
    ("GET", "/api/credit/scores/{subject_kind}/{subject_id}"): STAFF_OR_MERCHANT,
    ("GET", "/api/credit/scores/{subject_kind}/{subject_id}/history"): STAFF_OR_MERCHANT,
    ("POST", "/api/credit/proposals"): COMPLIANCE,
    ("GET", "/api/credit/proceedings"): STAFF_OR_MERCHANT,
    ("GET", "/api/credit/proceedings/{proceeding_id}"): SIGNED_IN,
    ("POST", "/api/credit/proceedings/{proceeding_id}/decision"): COMPLIANCE,
    ("POST", "/api/credit/proceedings/{proceeding_id}/{act}"): SIGNED_IN,
    ("POST", "/api/trade/benefit-promises"): CASE_WORK,
    ("POST", "/api/orders/{order_id}/payouts"): CASE_WORK,
    ("POST", "/api/orders/{order_id}/price-protection/refusal"): SIGNED_IN,
    ("GET", "/api/merchants/{merchant_id}/benefit-findings"): STAFF_OR_MERCHANT,
    ("POST", "/api/trade/check-benefits"): COMPLIANCE,
    ("POST", "/api/trade/imports"): CASE_WORK,
    ("POST", "/api/integrity/detect"): COMPLIANCE,
    ("GET", "/api/integrity/findings"): ANY_STAFF,
    ("GET", "/api/integrity/findings/{finding_id}"): ANY_STAFF,
    ("GET", "/api/merchants/{merchant_id}/integrity-findings"): STAFF_OR_MERCHANT,
    ("GET", "/"): PUBLIC,
    ("GET", "/shops/{merchant_id}"): PUBLIC,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("POST", "/console/logout"): SIGNED_IN,
    ("GET", "/console/reviews"): ANY_STAFF,
    ("POST", "/console/documents/{document_id}/review"): COMPLIANCE,
    ("POST", "/console/merchants/{merchant_id}/review"): COMPLIANCE,
    ("GET", "/console/merchants/{merchant_id}"): ANY_STAFF,
    ("GET", "/console/sessions/{session_id}"): ANY_STAFF,
    ("GET", "/console/evidence"): ANY_STAFF,
    ("POST", "/console/evidence/bundle"): ANY_STAFF,
    ("GET", "/console/integrity"): ANY_STAFF,
    ("GET", "/console/integrity/{finding_id}"): ANY_STAFF,
    ("GET", "/console/listings"): ANY_STAFF,
    ("POST", "/console/listings/{listing_id}/decision"): COMPLIANCE,
    ("GET", "/console/samples"): ANY_STAFF,
    ("POST", "/console/samples"): SAMPLING,
    ("GET", "/listings/{listing_id}"): PUBLIC,
    ("GET", "/console/merchant/login"): PUBLIC,
    ("POST", "/console/merchant/login"): PUBLIC,
    ("GET", "/console/merchant"): MERCHANT_ONLY,
    ("POST", "/console/merchant/listings/{listing_id}/appeal"): MERCHANT_ONLY,
    ("GET", "/console/live"): ANY_STAFF,
    ("GET", "/console/live/bus"): ANY_STAFF,
    ("GET", "/console/live/{session_id}"): ANY_STAFF,
    ("POST", "/console/live/{session_id}/actions"): COMPLIANCE,
    ("POST", "/console/live/findings/{finding_id}/dismiss"): COMPLIANCE,
    ("GET", "/console/live/{session_id}/frames/{seq}"): ANY_STAFF,
    ("GET", "/console/live/{session_id}/picture"): STAFF_OR_MERCHANT,
    ("GET", "/console/reports"): ANY_STAFF,
    ("POST", "/console/reports"): COMPLIANCE,
    ("GET", "/console/reports/harms"): ANY_STAFF,
    ("GET", "/console/reports/{report_id}"): ANY_STAFF,
    ("GET", "/console/reports/{report_id}/pdf"): ANY_STAFF,
    ("GET", "/live/{session_id}"): PUBLIC,
    ("GET", "/console/cases"): STAFF_OR_CONSUMER,
    ("GET", "/console/cases/export.csv"): ANY_STAFF,
    ("GET", "/console/merchants"): ANY_STAFF,
    ("GET", "/console/merchants/export.csv"): ANY_STAFF,
    ("GET", "/console/anchors"): ANY_STAFF,
    ("GET", "/console/anchors/export.csv"): ANY_STAFF,
    ("GET", "/console/anchors/{anchor_id}"): ANY_STAFF,
    ("GET", "/api/lists/cases"): ANY_STAFF,
    ("GET", "/api/lists/cases/export.csv"): ANY_STAFF,
    ("GET", "/api/lists/merchants"): ANY_STAFF,
    ("GET", "/api/lists/merchants/export.csv"): ANY_STAFF,
    ("GET", "/api/lists/anchors"): ANY_STAFF,
    ("GET", "/api/lists/anchors/export.csv"): ANY_STAFF,
    ("GET", "/api/lists/listings"): ANY_STAFF,
    ("GET", "/api/lists/listings/export.csv"): ANY_STAFF,
    ("GET", "/api/lists/rooms"): ANY_STAFF,
    ("GET", "/api/lists/rooms/export.csv"): ANY_STAFF,
    ("GET", "/api/lists/findings"): ANY_STAFF,
    ("GET", "/api/lists/findings/export.csv"): ANY_STAFF,
    ("GET", "/api/lists/integrity"): ANY_STAFF,
    ("GET", "/api/lists/integrity/export.csv"): ANY_STAFF,
    ("GET", "/console/lists/{name}"): ANY_STAFF,
    ("GET", "/console/lists/{name}/export.csv"): ANY_STAFF,
    ("GET", "/console/cases/new"): STAFF_OR_CONSUMER,
    ("POST", "/console/cases"): SIGNED_IN,
    ("GET", "/console/cases/{case_id}"): STAFF_OR_CONSUMER,
    ("POST", "/console/cases/{case_id}/facts"): SIGNED_IN,
    ("GET", "/my/signup"): PUBLIC,
    ("POST", "/my/signup"): PUBLIC,
    ("GET", "/my/login"): PUBLIC,
    ("POST", "/my/login"): PUBLIC,
    ("GET", "/my/recover"): PUBLIC,
    ("POST", "/my/recover"): PUBLIC,
    ("GET", "/my/complaints"): CONSUMER_ONLY,
    ("GET", "/my/complaints/{case_id}"): CONSUMER_ONLY,
    ("GET", "/complain"): PUBLIC,
    ("POST", "/complain"): PUBLIC - STAFF - {MERCHANT},
    ("GET", "/complain/filed"): PUBLIC,
    ("GET", "/track"): PUBLIC,
    ("POST", "/track"): PUBLIC,
    ("GET", "/track/{secret}"): PUBLIC,
    ("GET", "/console/consumer-login"): PUBLIC,
    ("POST", "/console/consumer-login"): PUBLIC,
    ("POST", "/console/cases/{case_id}/anchor-identity"): SIGNED_IN,
    ("GET", "/complaints"): PUBLIC,
    ("GET", "/complaints/{case_id}"): PUBLIC,
    ("POST", "/console/cases/{case_id}/transition"): SIGNED_IN,
    ("POST", "/console/cases/{case_id}/answers"): SIGNED_IN,
    ("POST", "/console/cases/{case_id}/notes"): SIGNED_IN,
    ("POST", "/console/cases/{case_id}/decision"): SIGNED_IN,
    ("POST", "/console/cases/{case_id}/compensation"): SIGNED_IN,
    ("POST", "/console/cases/{case_id}/publish"): SIGNED_IN,
    ("POST", "/console/cases/{case_id}/bundle"): SIGNED_IN,
    ("GET", "/credit"): PUBLIC,
    ("GET", "/credit/{proceeding_id}"): PUBLIC,
    ("GET", "/console/credit"): ANY_STAFF,
    ("GET", "/console/credit/{proceeding_id}"): ANY_STAFF,
    ("POST", "/console/credit/{proceeding_id}/decision"): COMPLIANCE,
    ("POST", "/console/credit/{proceeding_id}/statement"): SIGNED_IN,
    ("POST", "/api/privacy/consents"): SIGNED_IN,
    ("POST", "/api/privacy/consents/{consent_id}/withdraw"): CONSUMER_ONLY,
    ("POST", "/api/privacy/marketing/check"): SIGNED_IN,
    ("POST", "/api/privacy/marketing/send"): SIGNED_IN,
    ("GET", "/api/privacy/merchants/{merchant_id}/refused-sends"): STAFF_OR_MERCHANT,
    ("GET", "/api/privacy/me"): CONSUMER_ONLY,
    ("GET", "/api/privacy/me/export"): CONSUMER_ONLY,
    ("POST", "/api/privacy/me/requests"): CONSUMER_ONLY,
    ("GET", "/api/privacy/requests"): ADMIN_ONLY,
    ("POST", "/api/privacy/requests/{request_id}/decision"): ADMIN_ONLY,
    ("GET", "/api/privacy/access-log"): ADMIN_ONLY,
    ("POST", "/api/privacy/consumers/{consumer_id}/phone"): PHONE_REVEALERS,
    ("POST", "/api/privacy/cases/{case_id}/text"): CASE_TEXT_REVEALERS,
    ("GET", "/console/my-data"): CONSUMER_ONLY,
    ("POST", "/console/my-data/consents/{consent_id}/withdraw"): CONSUMER_ONLY,
    ("POST", "/console/my-data/requests"): CONSUMER_ONLY,
    ("GET", "/console/privacy"): ADMIN_ONLY,
    ("POST", "/console/privacy/requests/{request_id}/decision"): ADMIN_ONLY,
    ("GET", "/u/{token}"): PUBLIC,
    ("POST", "/u/{token}"): PUBLIC,
    ("POST", "/api/opinion/posts"): COMPLIANCE,
    ("POST", "/api/opinion/posts/import"): COMPLIANCE,
    ("GET", "/api/opinion/posts"): ANY_STAFF,
    ("GET", "/api/opinion/posts/{post_id}"): ANY_STAFF,
    ("POST", "/api/opinion/classify"): ANY_STAFF,
    ("GET", "/api/opinion/trends/categories"): ANY_STAFF,
    ("GET", "/api/opinion/trends/parties"): ANY_STAFF,
    ("GET", "/api/opinion/parties"): ANY_STAFF,
    ("GET", "/api/opinion/alerts"): ANY_STAFF,
    ("POST", "/api/opinion/alerts/scan"): COMPLIANCE,
    ("POST", "/api/opinion/alerts/{alert_id}/acknowledge"): COMPLIANCE,
    ("GET", "/console/opinion"): ANY_STAFF,
    ("GET", "/console/opinion/trends"): ANY_STAFF,
    ("GET", "/console/opinion/alerts"): ANY_STAFF,
    ("POST", "/console/opinion/alerts/{alert_id}/acknowledge"): COMPLIANCE,
    ("GET", "/healthz"): PUBLIC,
}


# --- the app, its callers and their records -------------------------------------------------


@dataclass
class World:
    client: TestClient
    tokens: dict[str, list[str]]  # principal -> API tokens: the first for every call,
    # the others spent one per sign-out route (signing out revokes the token)
    ids: dict[str, str]  # path parameter -> the value used for it


def _staff_tokens(app: FastAPI) -> Iterator[tuple[str, str]]:
    with transaction(app.state.session_factory) as db_session:
        for role in StaffRole:
            staff = parties_service.create_staff(
                db_session=db_session,
                staff_in=StaffCreate(
                    username=f"matrix-{role.value}",
                    display_name=role.value,
                    role=role,
                    password="correct horse battery",
                ),
            )
            for _ in range(TOKENS_EACH):
                yield (
                    role.value,
                    auth_service.issue(
                        db_session=db_session,
                        principal_kind=PrincipalKind.staff,
                        principal_id=staff.id,
                        label="matrix",
                    ),
                )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, clock: FixedClock) -> Iterator[World]:
    data_dir: Path = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{data_dir / 'liveguard.db'}"
    migrations.upgrade(url)
    settings = factories.settings(data_dir, url)
    app = create_app(settings, clock=clock)
    tokens: dict[str, list[str]] = {}
    for principal, token in _staff_tokens(app):
        tokens.setdefault(principal, []).append(token)
    with TestClient(app) as client:
        staff = {"Authorization": f"Bearer {tokens[ADMIN][0]}"}

        def made(url: str, body: dict[str, object]) -> int:
            response = client.post(url, json=body, headers=staff)
            assert response.status_code == 201, response.text
            return int(response.json()["id"])

        platform_id = made("/api/platforms", factories.platform())
        merchant_id = made("/api/merchants", factories.merchant(platform_id, categories=["food"]))
        document_id = upload_document(client, staff, merchant_id)["id"]
        for url in (f"/api/documents/{document_id}/review", f"/api/merchants/{merchant_id}/review"):
            client.post(url, json={"decision": "approve"}, headers=staff)
        consumer_id = made("/api/consumers", {"nickname": "买家", "phone": factories.phone()})
        owners = {MERCHANT: merchant_id, CONSUMER: consumer_id}
        for kind, owner_id in owners.items():
            for _ in range(TOKENS_EACH):
                issued = client.post(
                    "/api/auth/tokens",
                    json={"principal_kind": kind, "principal_id": owner_id, "label": "matrix"},
                    headers=staff,
                )
                tokens.setdefault(kind, []).append(issued.json()["token"])
        shop = Shop(merchant_id, {"Authorization": f"Bearer {tokens[MERCHANT][0]}"})
        listing_id = made("/api/listings", listing(shop))
        anchor_id = made("/api/anchors", factories.anchor(platform_id))
        ids = {
            "merchant_id": merchant_id,
            "consumer_id": consumer_id,
            "document_id": document_id,
            "listing_id": listing_id,
            "anchor_id": anchor_id,
            "category": "food",
            "platform": "douyin",
            "version": "1",
            "subject_ref": "nobody",
            "subject_kind": "merchant",
            "subject_id": merchant_id,
            "proceeding_id": 1,
            "act": "objection",
            "name": "rooms",  # /console/lists/{name}: one of the generic lists
        }
        yield World(client, tokens, {k: str(v) for k, v in ids.items()})


# --- asking the app -------------------------------------------------------------------------


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, WebSockets as (WEBSOCKET, path); not the
    static files (a mount of public files, no routes of ours)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            continue
        if isinstance(route, APIWebSocketRoute):
            found.append((WS, context.path))
            continue
        methods = set(getattr(route, "methods", None) or ()) - {"HEAD"}
        found.extend((method, context.path) for method in sorted(methods))
    return found


def url_for(world: World, path: str) -> str:
    """Known ids for the callers' own records; 999999 (no such record) for the rest."""
    return re.sub(r"\{(\w+)\}", lambda found: world.ids.get(found.group(1), "999999"), path)


def answer(world: World, method: str, path: str, principal: str) -> str:
    """What the app says: "refused (401)", "refused (403)", "sign-in page", or "admitted
    (<status>)"; for a WebSocket the close code or "admitted (accepted)"."""
    pool = world.tokens.get(principal, [])
    token = (pool.pop() if path.endswith("/logout") else pool[0]) if pool else None
    url = url_for(world, path)
    client = world.client
    client.cookies.clear()
    if method == WS:
        sign_in = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with client.websocket_connect(url, headers=sign_in):
                return "admitted (accepted)"
        except WebSocketDisconnect as closed:
            return f"refused ({closed.code})"
    headers: dict[str, str] = {}
    form: dict[str, str] | None = None
    body: dict[str, object] | None = None
    console = not path.startswith("/api/")
    if token and not console:
        headers["Authorization"] = f"Bearer {token}"
    if token and console:
        headers["Cookie"] = f"{SESSION_COOKIE}={token}"
    if method != "GET" and console:
        form = {"csrf": csrf_for(token) if token else ""}
    elif method != "GET":
        body = {}
    response = client.request(
        method, url, headers=headers, data=form, json=body, follow_redirects=False
    )
    if response.status_code in (401, 403):
        return f"refused ({response.status_code})"
    if response.status_code == 303 and "/login" in response.headers.get("location", ""):
        return "sign-in page"
    return f"admitted ({response.status_code})"


def csrf_for(token: str) -> str:
    """The CSRF token the console's forms carry for this session (it reads the cookie only)."""
    return csrf_token(SimpleNamespace(cookies={SESSION_COOKIE: token}))  # type: ignore[arg-type]


def expected(method: str, path: str, principal: str) -> set[str]:
    """The answers the table allows: refusals by kind of way in, or any admission."""
    if principal in ACCESS[method, path]:
        return {"admitted"}
    if method == WS:
        return {"refused (4401)" if principal == ANONYMOUS else "refused (1008)"}
    refused = {"refused (401)" if principal == ANONYMOUS else "refused (403)"}
    if method == "GET" and path.startswith(("/console/", "/my/")):
        return {"sign-in page"}  # a page sends anyone it does not admit to sign in
    return refused


def test_every_route_declares_who_may_call_it(world: World) -> None:
    found = set(routes(world.client.app))  # type: ignore[arg-type]
    assert len(found) > 150
    assert sorted(found - ACCESS.keys()) == [], "add these routes to ACCESS with their policy"
    assert sorted(ACCESS.keys() - found) == [], "these routes are gone: take them out of ACCESS"


def test_every_caller_gets_the_answer_the_table_gives(world: World) -> None:
    wrong = []
    for method, path in routes(world.client.app):  # type: ignore[arg-type]
        for principal in PRINCIPALS:
            got = answer(world, method, path, principal)
            if got.split(" (")[0] == "admitted":
                got = "admitted"
            if got not in expected(method, path, principal):
                wrong.append(f"{method} {path} as {principal}: {got}")
    assert wrong == [], "\n".join(wrong)
