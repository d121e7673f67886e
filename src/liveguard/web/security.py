"""Security headers on every answer, pages, API, static files and errors alike.

The console's pages run no inline script (their scripts are files under /static, their
data sits in ``type="application/json"`` blocks, which are never run), so the policy
allows scripts from this origin only. The API docs pages are the exception: FastAPI
writes their start-up script inline, so they get a policy that allows it (and no more).
An ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``, so the event streams
go through unbuffered.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liveguard.web.problems import internal_error

log = logging.getLogger(__name__)

CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI and ReDoc: an inline start-up script and styles; their assets are served by
# the app itself (fastapi-offline), so no other host is allowed.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def headers_for(path: str, *, tls: bool) -> dict[str, str]:
    """The headers an answer to ``path`` carries; HSTS only when served over TLS."""
    headers = {
        "Content-Security-Policy": DOCS_POLICY if path.startswith(DOCS_PATHS) else CONSOLE_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if tls:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Adds ``headers_for`` to every HTTP answer that does not set its own.
    ``always_tls``: the app is behind a TLS-terminating proxy (production), so HSTS is
    sent even when the request reached the app as plain HTTP."""

    def __init__(self, app: ASGIApp, *, always_tls: bool = False) -> None:
        self.app = app
        self.always_tls = always_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = self.always_tls or scope.get("scheme") == "https"
        extra = headers_for(scope.get("path", ""), tls=tls)

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette answers an unhandled error outside every middleware, so its 500
            # would go out bare: answer it here, with the headers, as problem details.
            if started:
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            response = internal_error()
            await response(scope, receive, send_with_headers)
