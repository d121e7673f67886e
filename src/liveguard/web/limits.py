"""How large a request may be, checked from its declared length before the body is read.

Two layers: ``BodyLimit``, an ASGI middleware, refuses any request whose
``Content-Length`` is over ``MAX_REQUEST_BYTES`` (the largest upload plus its multipart
envelope) before a route reads a byte; ``read_body`` gives a route that reads its own body
(a CSV or JSON import) a tighter limit, both from the declared length and while reading,
so a body sent in chunks without a length cannot get past it either.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from liveguard.errors import TooLarge
from liveguard.web.problems import problem

# A 20 MB document or case file (cases/service.py, parties/reviews.py) and its envelope.
MAX_REQUEST_BYTES = 21 * 1024 * 1024


def declared_length(headers: Mapping[str, str]) -> int | None:
    """The ``Content-Length`` a request declares, or None; ValueError if not a length."""
    value = headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValueError(f"header content-length: {value[:40]!r} is not a length in bytes")
    return int(value)


async def read_body(request: Request, limit: int, fix: str) -> bytes:
    """The body, refused (413) from its declared length or once it grows past ``limit``."""
    size = declared_length(request.headers)  # a bad one was refused by BodyLimit
    if size is not None and size > limit:
        raise TooLarge(size, limit, fix)
    chunks, read = [], 0
    async for chunk in request.stream():
        read += len(chunk)
        if read > limit:
            raise TooLarge(read, limit, fix)
        chunks.append(chunk)
    return b"".join(chunks)


class BodyLimit:
    """Refuse a request declaring more than ``MAX_REQUEST_BYTES`` before it is read."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            try:
                size = declared_length(headers)
            except ValueError as error:
                response = problem(400, "Bad header", str(error), slug="bad-header")
                await response(scope, receive, send)
                return
            if size is not None and size > self.limit:
                too_large = TooLarge(size, self.limit, "send a smaller file or fewer items")
                response = problem(
                    413,
                    too_large.title,
                    too_large.detail,
                    slug=too_large.slug,
                    errors=[p.as_dict() for p in too_large.problems],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
