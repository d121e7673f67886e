"""The application factory: one FastAPI app serving the JSON API and the console."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy import text

from liveguard import __version__
from liveguard.blobs import make_blob_store
from liveguard.cases import workflow as case_workflow
from liveguard.clock import Clock
from liveguard.config import Settings, get_settings
from liveguard.db import make_engine, make_session_factory, transaction
from liveguard.evidence import service as ledger
from liveguard.evidence.signing import Signer
from liveguard.live import notify
from liveguard.parties import reviews
from liveguard.privacy import service as privacy_service
from liveguard.privacy.fields import FieldCipher
from liveguard.trade import flows as trade_flows
from liveguard.web import (
    case_form,
    case_pages,
    case_steps,
    console,
    consumer_pages,
    credit_pages,
    evidence_pages,
    integrity_pages,
    list_pages,
    listing_pages,
    live_pages,
    openapi,
    opinion_pages,
    pages,
    picture_pages,
    privacy_pages,
    problems,
    report_pages,
)
from liveguard.web.api import api_router
from liveguard.web.limits import BodyLimit
from liveguard.web.security import SecurityHeaders

log = logging.getLogger(__name__)


async def _every(minutes: int, name: str, job: Callable[[], object]) -> None:
    """Run a database job on a schedule in a worker thread; log and retry on failure."""
    while True:
        try:
            outcome = await asyncio.to_thread(job)
            if outcome:
                log.info("%s: %s", name, outcome)
        except Exception:
            log.exception("%s failed; will retry", name)
        await asyncio.sleep(minutes * 60)


def _scheduled_jobs(app: FastAPI) -> list[tuple[int, str, Callable[[], object]]]:
    settings: Settings = app.state.settings

    def reverify() -> object:
        # 网络交易监督管理办法 art. 24: merchants' information is re-verified periodically.
        with transaction(app.state.session_factory) as db_session:
            report = reviews.reverify(db_session=db_session, today=app.state.clock.today())
            return report.model_dump() if report.suspended or report.reinstated else None

    def checkpoint() -> object:
        with transaction(app.state.session_factory) as db_session:
            issued = ledger.checkpoint_if_grown(
                db_session=db_session, signer=app.state.signer, origin=settings.checkpoint_origin
            )
            return f"checkpoint at size {issued.tree_size}" if issued else None

    def check_promises() -> object:
        # 电子商务法 art. 20: goods are delivered within the time promised; a breach is
        # flagged on the day it happens and the buyer's case opened without being asked.
        with transaction(app.state.session_factory) as db_session:
            report = trade_flows.check_promises(
                db_session=db_session, day=app.state.clock.today(), now=app.state.clock.now()
            )
            benefits = trade_flows.check_benefits(
                db_session=db_session, day=app.state.clock.today(), now=app.state.clock.now()
            )
            found = len(report.breaches) + len(benefits.findings)
            return f"{found} broken promise(s) flagged" if found else None

    def remind_cases() -> object:
        # Each case step has a deadline in working days; an overdue one is reminded once.
        with transaction(app.state.session_factory) as db_session:
            late = case_workflow.remind(
                db_session=db_session, today=app.state.clock.today(), now=app.state.clock.now()
            )
            return [f"case {o.case.id}: {o.case.due_step} {o.days_overdue}d late" for o in late]

    jobs = [
        (settings.reverify_interval_minutes, "reverification", reverify),
        (settings.checkpoint_interval_minutes, "checkpoint", checkpoint),
        (settings.case_reminder_interval_minutes, "case reminders", remind_cases),
        (settings.promise_check_interval_minutes, "promise check", check_promises),
    ]
    return [job for job in jobs if job[0] > 0]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(_every(*job)) for job in _scheduled_jobs(app)]
    if app.state.settings.nats_url:  # monitor workers elsewhere: relay their news to SSE
        tasks.append(asyncio.create_task(notify.relay(app.state.settings.nats_url)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        app.state.engine.dispose()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.ensure_dirs()
    # /docs and /redoc load Swagger UI and ReDoc from this app (fastapi-offline's copies under
    # /static-offline-docs), not from a CDN: the API docs work on a machine with no internet.
    app = FastAPIOffline(
        title="LiveGuard",
        version=__version__,
        summary="Consumer protection and compliance for live-stream commerce",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or Clock()
    app.state.engine = make_engine(settings.database_url)
    app.state.cipher = FieldCipher.from_key_dir(settings.key_dir)
    app.state.session_factory = make_session_factory(
        app.state.engine, info=privacy_service.session_info(app.state.cipher)
    )
    app.state.blobs = make_blob_store(
        settings.blob_url, settings.blob_dir, endpoint_url=settings.s3_endpoint
    )
    app.state.signer = Signer.from_key_dir(settings.key_dir, witness=settings.checkpoint_log)

    problems.install(app)
    openapi.install(app)
    app.add_middleware(BodyLimit)  # an over-size body is refused before it is read
    # Added last, so outermost: every answer gets the headers, a 413 included.
    # HSTS over TLS; production sits behind a TLS proxy, so it always sends it.
    app.add_middleware(SecurityHeaders, always_tls=settings.secure_cookies)
    pages.install(app)
    app.include_router(api_router)
    app.include_router(list_pages.router)  # before the /{id} pages: /console/cases/export.csv
    app.include_router(console.router)
    app.include_router(consumer_pages.router)
    app.include_router(evidence_pages.router)
    app.include_router(listing_pages.router)
    app.include_router(live_pages.router)
    app.include_router(picture_pages.router)
    app.include_router(case_form.router)  # before /console/cases/{case_id}: /new
    app.include_router(case_pages.router)
    app.include_router(case_steps.router)
    app.include_router(credit_pages.router)
    app.include_router(privacy_pages.router)
    app.include_router(integrity_pages.router)
    app.include_router(opinion_pages.router)
    app.include_router(case_pages.router)
    app.include_router(case_steps.router)
    app.include_router(report_pages.router)
    static = resources.files("liveguard.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": app.state.engine.dialect.name, "version": __version__}

    return app
