"""Sign-in, sign-out, who am I, and API tokens."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, status

from liveguard.auth import service
from liveguard.auth.schemas import LoginIn, Me, TokenCreate, TokenOut
from liveguard.web.deps import (
    Admin,
    CurrentSettings,
    DbSession,
    Now,
    Signed,
    SignInAttempts,
    raw_token,
)

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=TokenOut,
    responses={429: {"description": "too many failed sign-ins; wait for Retry-After seconds"}},
)
def login(
    credentials: LoginIn,
    db_session: DbSession,
    settings: CurrentSettings,
    now: Now,
    attempts: SignInAttempts,
) -> TokenOut:
    """Open a session for a staff member (no role needed: this is how one gets one).
    Repeated failures for an account or from an address are answered 429 with
    Retry-After until the allowance refills."""
    with attempts.guard(account=credentials.username):
        token, principal = service.login(
            db_session=db_session,
            username=credentials.username,
            password=credentials.password,
            ttl=timedelta(hours=settings.session_hours),
            now=now,
        )
    return TokenOut(token=token, principal_kind=principal.kind, principal_id=principal.id)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, db_session: DbSession, _: Signed) -> None:
    token = raw_token(request)
    if token:
        service.revoke(db_session=db_session, raw_token=token)


@router.get("/me", response_model=Me)
def me(principal: Signed) -> Me:
    return Me(kind=principal.kind, id=principal.id, name=principal.name, role=principal.role)


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenOut)
def create_token(token_in: TokenCreate, db_session: DbSession, _: Admin) -> TokenOut:
    """An API token for a staff member, a merchant or a consumer."""
    service.get_principal(  # a token for nobody would be a token for whoever comes next
        db_session=db_session, kind=token_in.principal_kind, principal_id=token_in.principal_id
    )
    token = service.issue(
        db_session=db_session,
        principal_kind=token_in.principal_kind,
        principal_id=token_in.principal_id,
        label=token_in.label,
    )
    return TokenOut(
        token=token, principal_kind=token_in.principal_kind, principal_id=token_in.principal_id
    )
