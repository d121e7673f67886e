"""Shared request dependencies: the transaction, the caller, and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from liveguard.auth import service as auth_service
from liveguard.auth.service import Principal
from liveguard.blobs import BlobStore
from liveguard.config import Settings
from liveguard.db import transaction
from liveguard.errors import Forbidden, NotAuthenticated
from liveguard.privacy.fields import FieldCipher
from liveguard.vocab import PrincipalKind, StaffRole

SESSION_COOKIE = "lg_session"


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response, or rolled back whole."""
    with transaction(request.app.state.session_factory) as session:
        yield session


# scope="function": commit happens before the response is sent, so a 2xx means stored.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_cipher(request: Request) -> FieldCipher:
    return request.app.state.cipher


def get_blobs(request: Request) -> BlobStore:
    return request.app.state.blobs


def get_today(request: Request) -> date:
    """Today in China: licence validity and deadlines are counted in local dates."""
    return request.app.state.clock.today()


CurrentSettings = Annotated[Settings, Depends(get_settings)]
Cipher = Annotated[FieldCipher, Depends(get_cipher)]
Blobs = Annotated[BlobStore, Depends(get_blobs)]
Today = Annotated[date, Depends(get_today)]


def raw_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def get_principal(request: Request, db_session: DbSession) -> Principal | None:
    token = raw_token(request)
    if not token:
        return None
    return auth_service.resolve(
        db_session=db_session, raw_token=token, now=request.app.state.clock.now()
    )


MaybePrincipal = Annotated[Principal | None, Depends(get_principal)]


def require_staff(*roles: StaffRole) -> Callable[[Principal | None], Principal]:
    """A dependency admitting staff with one of ``roles`` (admins always); none = any staff."""

    def check(principal: MaybePrincipal) -> Principal:
        if principal is None:
            raise NotAuthenticated(
                "this route needs a staff sign-in: send 'Authorization: Bearer <token>'"
            )
        if not principal.is_staff:
            raise Forbidden(f"a {principal.kind.value} account cannot use this route")
        if roles and principal.role not in (*roles, StaffRole.admin):
            allowed = ", ".join(r.value for r in (*roles, StaffRole.admin))
            raise Forbidden(f"role {principal.role} cannot do this; needs one of: {allowed}")
        return principal

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
Admin = Annotated[Principal, Depends(require_staff(StaffRole.admin))]
Signed = Annotated[Principal, Depends(require_principal)]


def check_merchant_access(principal: Principal, merchant_id: int, *, write: bool) -> None:
    """Staff (writers need compliance) or the merchant itself."""
    if principal.kind is PrincipalKind.merchant:
        if principal.id != merchant_id:
            raise Forbidden("a merchant can act only on its own records")
        return
    if not principal.is_staff:
        raise Forbidden(f"a {principal.kind.value} account cannot use this route")
    if write and principal.role not in (StaffRole.compliance, StaffRole.admin):
        raise Forbidden(f"role {principal.role} is read-only here")
