"""Detection routes: check a text, list the rules, keep each platform's overlay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from liveguard import refusals
from liveguard.auth.service import Principal
from liveguard.bounds import Count
from liveguard.detect import service
from liveguard.detect.models import DetectRuleset
from liveguard.detect.schemas import (
    PLATFORM_PATTERN,
    DetectIn,
    DetectRead,
    FindingRead,
    OverlayHistory,
    OverlayIn,
    OverlayRead,
    OverlayStored,
    OverlaySummary,
    RuleRead,
    RulesRead,
)
from liveguard.errors import NotAuthenticated
from liveguard.labels import label
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import AnyStaff, Compliance, DbSession, MaybePrincipal

router = APIRouter(prefix="/detect", tags=["detect"])

PlatformCode = Annotated[str, Path(pattern=PLATFORM_PATTERN, description="e.g. douyin")]


def require_checker(principal: MaybePrincipal) -> Principal:
    """Staff, or a merchant checking its own copy before it goes live."""
    if principal is None:
        raise NotAuthenticated("sign in first: send 'Authorization: Bearer <token>'")
    if not (principal.is_staff or principal.kind is PrincipalKind.merchant):
        raise refusals.forbidden("web", "wrong_account", kind=label(principal.kind))
    return principal


Checker = Annotated[Principal, Depends(require_checker)]


@router.post("", response_model=DetectRead)
def detect(detect_in: DetectIn, db_session: DbSession, _: Checker) -> DetectRead:
    detection = service.detect(
        db_session=db_session,
        text=detect_in.text,
        context=detect_in.context.to_context(),
        platform=detect_in.platform,
    )
    return DetectRead(
        ruleset_version=detection.ruleset_version,
        findings=[FindingRead.of(f) for f in detection.findings],
    )


@router.get("/rules", response_model=RulesRead)
def list_rules(
    db_session: DbSession,
    _: AnyStaff,
    platform: Annotated[
        str | None, Query(pattern=PLATFORM_PATTERN, description="as this platform sees them")
    ] = None,
) -> RulesRead:
    detector = service.get_detector(db_session=db_session, platform=platform)
    compiled = detector.ruleset
    return RulesRead(
        ruleset_version=compiled.version,
        files=compiled.files,
        literal_count=compiled.literal_count,
        rules=[RuleRead.of(r, enabled=r.id not in detector.disabled) for r in compiled.rules],
    )


@router.get("/rulesets/{platform}", response_model=OverlayHistory)
def read_overlay_history(
    platform: PlatformCode, db_session: DbSession, _: AnyStaff
) -> OverlayHistory:
    rows = service.get_all(db_session=db_session, platform=platform)
    return OverlayHistory(
        platform=platform,
        latest=OverlayRead.model_validate(rows[0]),
        versions=[OverlaySummary.model_validate(r) for r in rows],
    )


@router.get("/rulesets/{platform}/{version}", response_model=OverlayRead)
def read_overlay(
    platform: PlatformCode, version: Count, db_session: DbSession, _: AnyStaff
) -> DetectRuleset:
    return service.get(db_session=db_session, platform=platform, version=version)


@router.put("/rulesets/{platform}", response_model=OverlayStored)
def put_overlay(
    platform: PlatformCode, overlay_in: OverlayIn, db_session: DbSession, principal: Compliance
) -> OverlayStored:
    # Checked before the first query of the write, so no lock is held while it compiles.
    checked = service.check_overlay(platform=platform, content=overlay_in.content)
    stored = service.put_overlay(
        db_session=db_session, platform=platform, checked=checked, created_by=principal.name
    )
    return OverlayStored(
        **OverlayRead.model_validate(stored.row).model_dump(),
        ruleset_version=stored.ruleset_version,
        created=stored.created,
    )
