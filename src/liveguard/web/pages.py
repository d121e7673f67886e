"""What every console page shares: the templates with their filters, ``render``, and the
redirects a form answers with (back to a page with a notice or the error in words, or
into a new console session).

The page modules (``console``, ``*_pages``, ``case_steps``) take their dependencies from
``deps`` and ``permissions`` and their rendering from here, never from one another.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liveguard.auth.service import Principal
from liveguard.clock import CHINA
from liveguard.config import Settings
from liveguard.errors import LiveGuardError, TooManyAttempts
from liveguard.labels import both, label
from liveguard.money import yuan
from liveguard.parties.qualifications import catalogue
from liveguard.vocab import StaffRole
from liveguard.web import permissions
from liveguard.web.deps import SESSION_COOKIE, SignInFirst, csrf_token, get_settings
from liveguard.web.refusal_words import said

DATE = "%Y-%m-%d"

templates = Jinja2Templates(directory=str(resources.files("liveguard.web") / "templates"))


def yuan_shown(fen: int | None) -> str:
    return "" if fen is None else yuan(fen, prefix="¥")


def china_time(moment: datetime | date | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored UTC, shown in Beijing time: the time people in the live room saw. A date
    (a report's period, a deadline) is already a Beijing calendar day: shown as it is.
    An ISO string (a time kept in a JSON record) is read first."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            return china_time(datetime.fromisoformat(moment), fmt)
        except ValueError:
            return moment
    if not isinstance(moment, datetime):
        return moment.strftime(DATE if fmt == "%Y-%m-%d %H:%M" else fmt)
    return moment.astimezone(CHINA).strftime(fmt)


def category_name(code: str) -> str:
    return c.name if (c := catalogue().category(code)) else code


def document_name(code: str) -> str:
    return d.name if (d := catalogue().document_type(code)) else code


templates.env.filters["yuan"] = yuan_shown
templates.env.filters["china_time"] = china_time
templates.env.globals["category_name"] = category_name
templates.env.globals["document_name"] = document_name
# {{ case.state|label }} for an enum member; {{ code|label("category") }} for a plain code.
templates.env.filters["label"] = label
templates.env.filters["label_both"] = both


def can(principal: Principal | None, roles: tuple[StaffRole, ...]) -> bool:
    """Whether a page shows a button: the role set its route checks (admins always)."""
    return (
        principal is not None
        and principal.is_staff
        and (principal.role in roles or principal.role is StaffRole.admin)
    )


# {% if can(principal, COMPLIANCE_WORK) %}: a page offers what its route will accept.
templates.env.globals["can"] = can
for _name in ("CASE_WORK", "COMPLIANCE_WORK", "SAMPLE_WRITERS", "LIVE_INGEST"):
    templates.env.globals[_name] = getattr(permissions, _name)


# A refused form's typed fields ride back to its page in a short-lived cookie, by the
# form's own names (``document.7.reason``), so the form shows them again. Never in the
# address: a reason or a statement may hold a buyer's name, phone or address, and an
# address lands in browser history, access logs and Referer headers (PIPL arts. 9, 51).
KEPT_COOKIE = "lg_kept"
KEPT_SECONDS = 300  # long enough to follow the redirect; a stale form refills nothing
KEPT_LIMIT = 2000  # characters a field keeps at most
# Browsers drop a cookie whose name and value pass 4096 bytes: the value (base64 of UTF-8
# JSON, a third longer than the JSON) stays under this with room for the name.
KEPT_BYTES = 3800


def _kept_value(fields: Mapping[str, str], cap: int) -> str:
    """``fields``, each cut to ``cap`` characters, as a cookie-safe value (base64url of
    UTF-8 JSON, unpadded: ``=`` would make the cookie quoted)."""
    cut = {key: value[:cap] for key, value in fields.items()}
    # "replace": a lone surrogate cannot be encoded; a "?" beats no cookie at all
    raw = json.dumps(cut, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def kept_cookie(fields: Mapping[str, str]) -> str | None:
    """The cookie value for the typed ``fields`` (empty ones dropped), or None if nothing.
    Over the size a browser keeps, every field is cut to one common length, the largest
    that fits: the longest are cut first and the short ones stay whole."""
    typed = {key: value for key, value in fields.items() if value}
    low, high = 0, min(KEPT_LIMIT, max(map(len, typed.values()), default=0))
    if len(_kept_value(typed, high)) > KEPT_BYTES:
        high -= 1
        while low < high:  # the largest cap that fits; 0 if none does
            middle = (low + high + 1) // 2
            if len(_kept_value(typed, middle)) <= KEPT_BYTES:
                low = middle
            else:
                high = middle - 1
    return _kept_value(typed, high) if high > 0 else None


def kept_of(request: Request) -> dict[str, str]:
    """The typed fields a refused form left in its cookie, by the form's own names. The
    cookie only refills the person's own form: missing, malformed or tampered, nothing
    is kept (never an error)."""
    value = request.cookies.get(KEPT_COOKIE)
    if not value or len(value) > KEPT_BYTES:
        return {}
    try:
        fields = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except ValueError:  # bad base64, bad UTF-8 and bad JSON are all ValueErrors
        return {}
    if not isinstance(fields, dict):
        return {}
    return {key: text for key, text in fields.items() if isinstance(text, str)}


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    context.setdefault("kept", kept_of(request))
    response = templates.TemplateResponse(
        request,
        name,
        {"principal": principal, "csrf": csrf_token(request), **context},
        status_code=status_code,
    )
    if KEPT_COOKIE in request.cookies:  # shown once: a reload shows an empty form
        response.delete_cookie(
            KEPT_COOKIE,
            path=request.url.path,
            secure=get_settings(request).secure_cookies,
            httponly=True,
            samesite="strict",
        )
    return response


def back(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, status_code=303)


def refused(
    request: Request,
    path: str,
    error: LiveGuardError | ValueError,
    kept: Mapping[str, str] | None = None,
) -> RedirectResponse:
    """Back to the form's page with the refusal in Chinese in the address and what was
    typed (``kept``) in a cookie for that page alone (see ``KEPT_COOKIE``)."""
    response = back(path, error=said(error))
    if value := kept_cookie(kept or {}):
        response.set_cookie(
            KEPT_COOKIE,
            value,
            max_age=KEPT_SECONDS,
            path=path,
            secure=get_settings(request).secure_cookies,
            httponly=True,
            samesite="strict",
        )
    return response


def decide_and_return(
    request: Request,
    action: Callable[[], object],
    back: str,
    kept: Mapping[str, str] | None = None,
) -> RedirectResponse:
    """Run a console decision; back to the page with a notice, or with the error in words
    and the form's typed fields (``kept``) to show again."""
    try:
        action()
    except (LiveGuardError, ValueError) as error:  # pydantic's ValidationError is a ValueError
        return refused(request, back, error, kept)
    return RedirectResponse(f"{back}?notice=saved", status_code=303)


def sign_in_refusal(error: LiveGuardError) -> str:
    """Why a console sign-in was refused, in the words the page shows."""
    if isinstance(error, TooManyAttempts):
        # the Chinese sentence alone: the detail is the API's English for the same wait
        return f"登录失败次数过多，请 {error.retry_after} 秒后再试（账号没有被永久锁定）"
    return error.detail


def hold_session(response: Response, token: str, settings: Settings) -> None:
    """The console session's cookie on ``response``: HttpOnly, SameSite=Strict, Secure in
    production (staff, merchants and buyers alike)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=settings.session_hours * 3600,
        secure=settings.secure_cookies,
    )


def session_redirect(target: str, token: str, settings: Settings) -> RedirectResponse:
    """Go to ``target`` holding a console session."""
    response = RedirectResponse(target, status_code=303)
    hold_session(response, token, settings)
    return response


def install(app: FastAPI) -> None:
    """Send people without a session to the sign-in page instead of an error."""

    async def _to_login(request: Request, exc: Exception) -> Response:
        # the buyer's own pages have their own sign-in (and sign-up) page
        login = "/my/login" if request.url.path.startswith("/my/") else "/console/login"
        return RedirectResponse(f"{login}?next={request.url.path}", status_code=303)

    app.add_exception_handler(SignInFirst, _to_login)
