"""Every capability's API router, mounted in one place."""

from __future__ import annotations

from fastapi import APIRouter

from liveguard.auth.views import router as auth_router
from liveguard.cases.views import router as cases_router
from liveguard.catalog.views import router as catalog_router
from liveguard.credit.views import public_router as credit_public_router
from liveguard.credit.views import router as credit_router
from liveguard.detect.views import router as detect_router
from liveguard.enforcement.views import router as enforcement_router
from liveguard.evidence.views import router as evidence_router
from liveguard.integrity.views import router as integrity_router
from liveguard.live.views import public_router as live_public_router
from liveguard.live.views import rooms_router as live_rooms_router
from liveguard.live.views import router as live_router
from liveguard.opinion.views import router as opinion_router
from liveguard.parties.review_views import router as reviews_router
from liveguard.parties.views import router as parties_router
from liveguard.privacy.views import router as privacy_router
from liveguard.reports.views import router as reports_router
from liveguard.trade.views import router as trade_router
from liveguard.web.list_pages import api_router as lists_router

api_router = APIRouter(prefix="/api")
api_router.include_router(auth_router)
api_router.include_router(parties_router)
api_router.include_router(reviews_router)
api_router.include_router(catalog_router)
api_router.include_router(live_router)
api_router.include_router(evidence_router)
api_router.include_router(detect_router)
api_router.include_router(live_rooms_router)
api_router.include_router(live_public_router)
api_router.include_router(enforcement_router)
api_router.include_router(cases_router)
api_router.include_router(trade_router)
api_router.include_router(credit_router)
api_router.include_router(credit_public_router)
api_router.include_router(privacy_router)
api_router.include_router(integrity_router)
api_router.include_router(opinion_router)
api_router.include_router(reports_router)
api_router.include_router(lists_router)
