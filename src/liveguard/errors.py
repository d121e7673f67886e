"""Domain errors. Each carries what a person needs to fix the problem.

Services raise these; the web layer turns them into RFC 9457 problem details and the
CLI prints them. No web imports here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input: where, what, and how to fix it."""

    field: str
    message: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "fix": self.fix}


class LiveGuardError(Exception):
    """Base of every error a caller can act on."""

    status = 400
    slug = "bad-request"
    title = "The request cannot be processed"
    retry_after: int | None = None  # seconds; sent as Retry-After when trying again may work

    def __init__(self, detail: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []
        self.headers: dict[str, str] = {}  # sent with the answer (Retry-After)


class InvalidInput(LiveGuardError):
    """Input that is well-formed but wrong (a bad check digit, an expired licence)."""

    status = 422
    slug = "invalid-input"
    title = "Some fields are not valid"

    def __init__(self, field_name: str, message: str, fix: str = "") -> None:
        super().__init__(
            f"{field_name}: {message}", problems=[FieldProblem(field_name, message, fix)]
        )


class NotFound(LiveGuardError):
    status = 404
    slug = "not-found"
    title = "Not found"

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"no {kind} with id {key}")


class Conflict(LiveGuardError):
    """The request clashes with the current state (duplicate, wrong workflow state)."""

    status = 409
    slug = "conflict"
    title = "The request conflicts with the current state"

    def __init__(self, detail: str, *, field_name: str | None = None, fix: str = "") -> None:
        problems = [FieldProblem(field_name, detail, fix)] if field_name else None
        super().__init__(detail, problems=problems)


class NotAuthenticated(LiveGuardError):
    status = 401
    slug = "not-authenticated"
    title = "Sign-in required"


class Forbidden(LiveGuardError):
    status = 403
    slug = "forbidden"
    title = "Not allowed for this role"


class StorageUnavailable(LiveGuardError):
    """The blob store cannot take a file now: the disk is full (507) or read-only or
    unreachable (503). Nothing was stored; the same request may succeed later."""

    status = 503
    slug = "storage-unavailable"
    title = "File storage is unavailable"
    retry_after = 60

    def __init__(self, detail: str, *, full: bool = False) -> None:
        super().__init__(detail)
        if full:
            self.status = 507
            self.slug = "storage-full"
            self.title = "File storage is full"


class TooManyAttempts(LiveGuardError):
    """Too many failed sign-ins for an account or from an address: wait, then try again."""

    status = 429
    slug = "too-many-attempts"
    title = "Too many failed sign-ins"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"too many failed sign-ins: try again in {self.retry_after} seconds "
            "(nothing is locked for good; the allowance refills)"
        )
        self.headers = {"Retry-After": str(self.retry_after)}


class TooLarge(LiveGuardError):
    """A request body over its limit, refused from its declared length before it is read."""

    status = 413
    slug = "too-large"
    title = "The request is too large"

    def __init__(self, size: int, limit: int, fix: str) -> None:
        super().__init__(
            f"the body is {size:,} bytes; the limit here is {limit:,}",
            problems=[FieldProblem("body", f"{size:,} bytes is over {limit:,}", fix)],
        )


@dataclass
class Problems:
    """Collects several field problems before raising them together."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, field_name: str, message: str, fix: str = "") -> None:
        self.items.append(FieldProblem(field_name, message, fix))

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            error = InvalidInput(first.field, first.message, first.fix)
            error.problems = list(self.items)
            error.detail = "; ".join(f"{p.field}: {p.message}" for p in self.items)
            raise error
