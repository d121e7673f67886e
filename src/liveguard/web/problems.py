"""RFC 9457 problem details for every error, each naming the field and the fix."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from liveguard.errors import LiveGuardError
from liveguard.web.refusal_words import chinese

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

# How to fix the common pydantic error types; custom validators put the fix in the message.
_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove this field: it is not part of the API",
    "int_parsing": "send a whole number",
    "int_type": "send a whole number",
    "int_from_float": "send a whole number (money is integer fen: 1 yuan = 100 fen)",
    "greater_than": "send a larger number",
    "greater_than_equal": "send a larger number",
    "less_than": "send a smaller number",
    "less_than_equal": "send a smaller number",
    "date_from_datetime_parsing": "send a date as YYYY-MM-DD",
    "date_parsing": "send a date as YYYY-MM-DD",
    "timezone_aware": "send a time with its offset, e.g. 2026-05-28T20:00:00+08:00",
    "enum": "use one of the listed values",
    "string_too_short": "send a longer text",
    "string_too_long": "send a shorter text",
    "string_pattern_mismatch": "check the format",
    "too_short": "send at least one item",
    "json_invalid": "send valid JSON (check quotes, commas and brackets)",
    "model_attributes_type": "send a JSON object",
    "dict_type": "send a JSON object",
}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def socket_problem(error: LiveGuardError) -> dict[str, Any]:
    """A domain error as a WebSocket message: the problem's fields, ``type`` "error", and
    ``retry_after`` (seconds, or null when sending the same again cannot help)."""
    return {
        "type": "error",
        "problem": f"/problems/{error.slug}",
        "status": error.status,
        "title": error.title,
        "detail": error.detail,
        "retry_after": error.retry_after,
    }


# A number in the URL beyond what its column holds cannot name a record: not found.
_OUT_OF_RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _cannot_exist(errors: list[Any]) -> JSONResponse | None:
    """A 404 when an id in the path is beyond its column (``bounds.Id``): no such record,
    whatever else is wrong with the request."""
    for error in errors:
        loc = tuple(error["loc"])
        if loc[:1] == ("path",) and error.get("type") in _OUT_OF_RANGE:
            kind = str(loc[-1]).removesuffix("_id").replace("_", " ")
            detail = f"no {kind} with id {error.get('input')}"
            return problem(404, "Not found", detail, slug="not-found")
    return None


# Paths a person opens in a browser get a Chinese HTML page for "not found", "not yours"
# and a bad address; the API (and the machine endpoints) keep problem details.
_MACHINE_PREFIXES = ("/api", "/healthz", "/static", "/docs", "/redoc", "/openapi")
_PAGE_WORDS = {
    400: ("请求有误", "这个链接或表单不完整，请返回上一页重新打开。"),
    422: ("表单有误", "表单里有内容不对或缺少了，请返回上一页，刷新后重新填写。"),
    403: ("这不是您的", "这个页面属于别人，或者需要另一种账号才能打开。"),
    404: ("没有找到", "您要找的页面不存在，可能是链接写错了，或者内容已经下架。"),
    405: ("请求有误", "这个页面不能这样打开，请从首页重新进入。"),
}


def for_a_person(request: Request) -> bool:
    return not request.url.path.startswith(_MACHINE_PREFIXES)


def page_problem(request: Request, status: int, reason: str = "") -> Response:
    """The error as a Chinese page with the way back, never the internal detail: a refusal
    with Chinese words of its own (``reason``, a 403's sentence and fix) is shown as it is."""
    from liveguard.web.pages import templates  # the page templates import this module's peers

    title, text = _PAGE_WORDS.get(status, _PAGE_WORDS[400])
    if reason and chinese(reason):
        text = reason
    return templates.TemplateResponse(
        request,
        "error.html",
        {"principal": None, "status": status, "title": title, "text": text},
        status_code=status,
    )


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    errors = list(exc.errors())
    if (not_found := _cannot_exist(errors)) is not None:
        return page_problem(request, 404) if for_a_person(request) else not_found
    if for_a_person(request):
        # a page's address or form a person cannot fix by reading pydantic's words
        if any(tuple(e["loc"])[:1] == ("path",) for e in errors):
            return page_problem(request, 404)
        return page_problem(request, 400 if request.method == "GET" else 422)
    if bad_headers := [e for e in errors if tuple(e["loc"])[:1] == ("header",)]:
        # A header is set by the client software, not typed by a person: a plain 400.
        items = [
            {"field": str(tuple(e["loc"])[-1]), "message": _message(e), "fix": ""}
            for e in bad_headers
        ]
        detail = "; ".join(f"header {i['field']}: {i['message']}" for i in items)
        return problem(400, "Bad header", detail, slug="bad-header", errors=items)
    if any(e.get("type") == "json_invalid" for e in errors):
        error = next(e for e in errors if e.get("type") == "json_invalid")
        reason = (error.get("ctx") or {}).get("error", "the body is not valid JSON")
        return problem(
            400,
            "Malformed JSON",
            f"the request body is not valid JSON: {reason}",
            slug="malformed-json",
            errors=[{"field": "body", "message": str(reason), "fix": _FIXES["json_invalid"]}],
        )
    items = [
        {
            "field": _field(tuple(e["loc"])),
            "message": _message(e),
            "fix": _FIXES.get(str(e.get("type")), ""),
        }
        for e in errors
    ]
    detail = "; ".join(f"{i['field']}: {i['message']}" for i in items)
    return problem(422, "Some fields are not valid", detail, slug="invalid-input", errors=items)


async def _domain(request: Request, exc: LiveGuardError) -> Response:
    if exc.status in (403, 404) and for_a_person(request):
        return page_problem(request, exc.status, exc.detail if exc.status == 403 else "")
    answer = problem(
        exc.status,
        exc.title,
        exc.detail,
        slug=exc.slug,
        headers=exc.headers,
        errors=[p.as_dict() for p in exc.problems],
    )
    if exc.retry_after is not None:
        answer.headers["Retry-After"] = str(exc.retry_after)
    return answer


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code in (403, 404, 405) and for_a_person(request):
        answer = page_problem(request, exc.status_code)
        answer.headers.update(exc.headers or {})
        return answer
    # Starlette's own headers stay: a 405 names the methods the path takes in ``Allow``.
    return problem(exc.status_code, str(exc.detail), str(exc.detail), headers=exc.headers)


def internal_error() -> JSONResponse:
    """The answer to an error nobody foresaw: nothing about it but that it happened."""
    return problem(
        500,
        "Internal error",
        "something went wrong on our side; nothing was saved",
        slug="internal",
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return internal_error()


async def _database_refused(request: Request, exc: DataError) -> JSONResponse:
    """PostgreSQL refuses the NUL character in any text, whichever field carries it: the
    caller's input, so a 422 naming the fix; any other data error is a bug of ours."""
    if "NUL (0x00)" not in str(exc.orig):
        return await _unexpected(request, exc)
    fix = "remove the NUL character (\\u0000) from the text"
    return problem(
        422,
        "Some fields are not valid",
        "a text contains the NUL character, which cannot be stored",
        slug="invalid-input",
        errors=[{"field": "body", "message": "contains the NUL character", "fix": fix}],
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(LiveGuardError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _database_refused)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
