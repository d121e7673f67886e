"""Shared request dependencies: the transaction, the clock, the app's keys and stores,
the caller, and the role checks a route or page declares.

Every route and page takes these from here, never from another package's views, so a
capability's routes depend on the web layer and not on each other. Which principal may
touch which record is decided in ``permissions``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Annotated, cast

from fastapi import Depends, Form, Request, WebSocket
from sqlalchemy.orm import Session, sessionmaker

from liveguard import refusals
from liveguard.auth import service as auth_service
from liveguard.auth.service import Principal
from liveguard.auth.throttle import Attempts
from liveguard.blobs import BlobStore
from liveguard.clock import Clock
from liveguard.config import Settings
from liveguard.db import transaction
from liveguard.errors import NotAuthenticated
from liveguard.evidence.signing import Signer
from liveguard.labels import label
from liveguard.privacy.fields import FieldCipher
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.permissions import COMPLIANCE_WORK, LIVE_INGEST, SAMPLE_WRITERS, check_staff

SESSION_COOKIE = "lg_session"


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response, or rolled back whole."""
    with transaction(request.app.state.session_factory) as session:
        yield session


# scope="function": commit happens before the response is sent, so a 2xx means stored.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


# app.state is untyped: each getter names the type create_app stored there.
def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_cipher(request: Request) -> FieldCipher:
    return cast(FieldCipher, request.app.state.cipher)


def get_blobs(request: Request) -> BlobStore:
    return cast(BlobStore, request.app.state.blobs)


def get_signer(request: Request) -> Signer:
    """The ledger's checkpoint signer."""
    return cast(Signer, request.app.state.signer)


def get_clock(request: Request) -> Clock:
    return cast(Clock, request.app.state.clock)


def get_today(request: Request) -> date:
    """Today in China: licence validity and deadlines are counted in local dates."""
    return get_clock(request).today()


def get_now(request: Request) -> datetime:
    """The moment, from the app's clock (tests set it)."""
    return get_clock(request).now()


def get_sign_in_attempts(request: Request) -> Attempts:
    """The throttle for a sign-in from this request's address (the proxy's, unless the
    server is told to trust forwarded headers)."""
    return Attempts(
        session_factory=cast(sessionmaker[Session], request.app.state.session_factory),
        address=request.client.host if request.client else "unknown",
        now=get_now(request),
    )


CurrentSettings = Annotated[Settings, Depends(get_settings)]
SignInAttempts = Annotated[Attempts, Depends(get_sign_in_attempts)]
Cipher = Annotated[FieldCipher, Depends(get_cipher)]
Blobs = Annotated[BlobStore, Depends(get_blobs)]
LogSigner = Annotated[Signer, Depends(get_signer)]
Today = Annotated[date, Depends(get_today)]
Now = Annotated[datetime, Depends(get_now)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def raw_token(request: Request) -> str | None:
    return bearer_token(request) or request.cookies.get(SESSION_COOKIE)


# A browser cannot set headers on a WebSocket, so it offers the token as a subprotocol
# ``bearer.<token>`` beside ``liveguard`` (the one the server answers with, so the token is
# never echoed). A token in the URL would be written to every access log: it is not read.
SOCKET_SUBPROTOCOL = "liveguard"
SOCKET_TOKEN_PREFIX = "bearer."


def socket_token(websocket: WebSocket) -> str:
    """The token of a WebSocket client, from ``Authorization: Bearer`` or the
    ``bearer.<token>`` subprotocol; never from the query string."""
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    for offered in websocket.scope.get("subprotocols", []):
        if offered.startswith(SOCKET_TOKEN_PREFIX):
            return str(offered).removeprefix(SOCKET_TOKEN_PREFIX)
    return ""


def socket_subprotocol(websocket: WebSocket) -> str | None:
    """The subprotocol to accept with: ``liveguard`` if the client offered it."""
    offered = websocket.scope.get("subprotocols", [])
    return SOCKET_SUBPROTOCOL if SOCKET_SUBPROTOCOL in offered else None


CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def check_cookie_csrf(request: Request) -> None:
    """An API write carried by the console's cookie must also carry the page's CSRF token
    in ``X-CSRF-Token``, as the console's forms carry it in a field: a browser sends the
    cookie with any site's request, but only our pages know the token. A bearer token is
    never sent by a browser on its own, so bearer calls need nothing more."""
    if request.method in SAFE_METHODS or bearer_token(request):
        return
    if not request.url.path.startswith("/api/"):
        return  # the console's own forms are checked by form_signed, from their field
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent, csrf_token(request)):
        raise refusals.forbidden("web", "cookie_without_csrf")


def get_principal(request: Request, db_session: DbSession) -> Principal | None:
    token = raw_token(request)
    if not token:
        return None
    check_cookie_csrf(request)
    return auth_service.resolve(db_session=db_session, raw_token=token, now=get_now(request))


MaybePrincipal = Annotated[Principal | None, Depends(get_principal)]


def require_staff(*roles: StaffRole) -> Callable[[Principal | None], Principal]:
    """A dependency admitting staff with one of ``roles`` (admins always); none = any staff."""

    def check(principal: MaybePrincipal) -> Principal:
        return check_staff(principal, roles)

    return check


def require_principal(principal: MaybePrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated("sign in first: send 'Authorization: Bearer <token>'")
    return principal


AnyStaff = Annotated[Principal, Depends(require_staff())]
Compliance = Annotated[Principal, Depends(require_staff(StaffRole.compliance))]
CaseWork = Annotated[
    Principal, Depends(require_staff(StaffRole.compliance, StaffRole.case_handler))
]
LiveIngest = Annotated[Principal, Depends(require_staff(*LIVE_INGEST))]
Admin = Annotated[Principal, Depends(require_staff(StaffRole.admin))]
Signed = Annotated[Principal, Depends(require_principal)]


def actor(principal: Principal) -> str:
    """How a record names who made it: a staff username, or merchant:<id> (consumer:<id>)."""
    return principal.name if principal.is_staff else f"{principal.kind.value}:{principal.id}"


# The console's pages: a session cookie, and a CSRF token bound to it in every form.
class SignInFirst(Exception):
    """Raised by a page dependency for a visitor without a fitting session; the app
    answers it with a redirect to the sign-in page."""


def csrf_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(token.encode(), b"liveguard-csrf", hashlib.sha256).hexdigest()


def page_staff(principal: MaybePrincipal) -> Principal:
    """Staff for a page: anyone else is sent to the sign-in page."""
    if principal is None or not principal.is_staff:
        raise SignInFirst
    return principal


def page_signed(principal: MaybePrincipal) -> Principal:
    """Staff or a consumer; anyone else to the sign-in page."""
    if principal is None or principal.kind is PrincipalKind.merchant:
        raise SignInFirst
    return principal


PageSigned = Annotated[Principal, Depends(page_signed)]


def form_signed(
    request: Request, principal: MaybePrincipal, csrf: Annotated[str, Form()] = ""
) -> Principal:
    """Anyone signed in, posting a form from our own page (e.g. signing out)."""
    if principal is None:
        raise NotAuthenticated("sign in to the console first")
    if not hmac.compare_digest(csrf, csrf_token(request)):
        raise refusals.forbidden("web", "stale_form")
    return principal


SignedForm = Annotated[Principal, Depends(form_signed)]


def form_staff(principal: SignedForm) -> Principal:
    """A signed-in reviewer allowed to decide (compliance or admin)."""
    if principal.role not in COMPLIANCE_WORK:
        raise refusals.forbidden("web", "read_only", role=label(principal.role))
    return principal


def form_staff_of(*roles: StaffRole) -> Callable[[Principal], Principal]:
    """A console form's dependency admitting the staff the API route beside it admits:
    one of ``roles`` (admins always; none = any staff), checked before the form is read."""

    def check(principal: SignedForm) -> Principal:
        return check_staff(principal, roles)

    return check


PageStaff = Annotated[Principal, Depends(page_staff)]
FormStaff = Annotated[Principal, Depends(form_staff)]
FormAnyStaff = Annotated[Principal, Depends(form_staff_of())]
FormSampleWriter = Annotated[Principal, Depends(form_staff_of(*SAMPLE_WRITERS))]
