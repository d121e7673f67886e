"""The application factory: one FastAPI app serving the JSON API and the console."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from liveguard import __version__
from liveguard.blobs import FileBlobStore
from liveguard.clock import Clock
from liveguard.config import Settings, get_settings
from liveguard.db import make_engine, make_session_factory, transaction
from liveguard.parties import reviews
from liveguard.privacy.fields import FieldCipher
from liveguard.web import console, problems
from liveguard.web.api import api_router

log = logging.getLogger(__name__)


async def _reverify_periodically(app: FastAPI, minutes: int) -> None:
    """Re-check licence expiry on a schedule (网络交易监督管理办法 art. 24)."""
    while True:
        try:
            report = await asyncio.to_thread(_reverify_once, app)
            if report.suspended or report.reinstated:
                log.info("reverification: %s", report.model_dump())
        except Exception:
            log.exception("reverification failed; will retry")
        await asyncio.sleep(minutes * 60)


def _reverify_once(app: FastAPI):
    with transaction(app.state.session_factory) as db_session:
        return reviews.reverify(db_session=db_session, today=app.state.clock.today())


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    task = None
    if settings.reverify_interval_minutes > 0:
        task = asyncio.create_task(_reverify_periodically(app, settings.reverify_interval_minutes))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        app.state.engine.dispose()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.ensure_dirs()
    app = FastAPI(
        title="LiveGuard",
        version=__version__,
        summary="Consumer protection and compliance for live-stream commerce",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or Clock()
    app.state.engine = make_engine(settings.database_url)
    app.state.session_factory = make_session_factory(app.state.engine)
    app.state.cipher = FieldCipher.from_key_dir(settings.key_dir)
    app.state.blobs = FileBlobStore(settings.blob_dir)

    problems.install(app)
    console.install(app)
    app.include_router(api_router)
    app.include_router(console.router)
    static = resources.files("liveguard.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": app.state.engine.dialect.name, "version": __version__}

    return app
