"""The application factory: settings, database, broker and routers, built at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.accounts.routes import admin_router, auth_router, login_router
from app.clock import Clock, SystemClock
from app.config import Settings, get_settings
from app.db import Database
from app.dialogues.join_routes import join_router
from app.dialogues.join_routes import router as seat_router
from app.dialogues.people_routes import router as people_router
from app.dialogues.routes import router as sessions_router
from app.facilitation.routes import router as facilitation_router
from app.health import router as health_router
from app.live.broker import make_broker
from app.live.endpoint import router as live_router
from app.live.hub import Hub
from app.live.keeper import forget_instance, keep_presence, keep_rights, keep_time
from app.live.writer import RoomWriter
from app.logging import configure_logging
from app.middleware import (
    AccessLogMiddleware,
    BodySizeLimitMiddleware,
    InputTextMiddleware,
    UnexpectedErrorMiddleware,
)
from app.outcomes.routes import router as outcomes_router
from app.programmes.routes import router as programmes_router
from app.security.csrf import CsrfCookieMiddleware
from app.security.headers import SecurityHeadersMiddleware
from app.security.passwords import Passwords
from app.security.throttle import LoginThrottle, StatementLimit
from app.transcripts.routes import router as transcripts_router
from app.web.api_docs import router as api_docs
from app.web.device_pages import router as device_pages
from app.web.error_pages import install_error_handlers
from app.web.join_pages import router as join_pages
from app.web.language import router as language_pages
from app.web.openapi_errors import describe_errors
from app.web.outcome_pages import router as outcome_pages
from app.web.programme_pages import router as programme_pages
from app.web.questionnaire_pages import router as questionnaire_pages
from app.web.room_pages import router as room_pages
from app.web.routes import router as web_router
from app.web.session_pages import router as session_pages
from app.web.survey_pages import router as survey_pages
from app.web.templating import STATIC_DIR, make_environment
from app.web.transcript_pages import router as transcript_pages
from app.web.waiting_stream import router as waiting_stream

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.json_logs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything with a connection or a thread is built here, never at import time.
        if settings.dev_echo_sql_with_parameters:
            log.warning(
                "SQL ECHO WITH PARAMETERS IS ON: every statement and its values (real names, contacts, "
                "what participants write) go to standard output. Development only; never with real data.",
                setting="ROUNDTABLE_DEV_ECHO_SQL_WITH_PARAMETERS",
            )
        app.state.db = Database(settings.database_url, echo=settings.dev_echo_sql_with_parameters)
        app.state.broker = make_broker(settings.redis_url, prefix=settings.redis_prefix)
        app.state.throttle = LoginThrottle(
            per_account=settings.login_limit_per_account,
            per_client=settings.login_limit_per_client,
            secret=settings.effective_secret,
            redis_url=settings.redis_url,
            key_prefix=settings.redis_prefix,
        )
        app.state.room_limits = StatementLimit(
            rate=settings.statement_rate, redis_url=settings.redis_url, key_prefix=settings.redis_prefix
        )
        app.state.instance_id = uuid.uuid4().hex
        keepers: list[asyncio.Task[None]] = []

        def start_keeper() -> None:
            # Only an instance that serves rooms beats, sweeps and ticks; one that never
            # does (a CLI, a test process) holds no transactions in the background.
            if not keepers:
                keepers.append(asyncio.create_task(keep_presence(app), name="presence-keeper"))
                keepers.append(asyncio.create_task(keep_time(app), name="room-clocks"))
                keepers.append(asyncio.create_task(keep_rights(app), name="connection-rights"))

        app.state.hub = Hub(
            broker=app.state.broker, db=app.state.db, on_first_room=start_keeper, now=app.state.clock.now
        )
        # Room events reach the broker only after their transaction has committed.
        app.state.db.publisher = app.state.hub.publish
        app.state.writer = RoomWriter(app.state.db)
        await app.state.broker.start()
        log.info(
            "started", env=settings.env.value, broker=app.state.broker.name, database=app.state.db.engine.dialect.name
        )
        try:
            yield
        finally:
            for keeper in keepers:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
            await app.state.hub.close_all(1012, "server restarting")
            await app.state.writer.close()
            await forget_instance(app)
            await app.state.broker.close()
            await app.state.db.dispose()
            log.info("stopped")

    app = FastAPI(
        title="Roundtable",
        summary="Facilitated, moderated dialogue between communities in conflict.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.passwords = Passwords(
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )
    app.state.templates = make_environment()

    install_error_handlers(app)
    # Added innermost first: the last one added sees the request first.
    app.add_middleware(InputTextMiddleware)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(CsrfCookieMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.env.value == "production")

    for router in (
        health_router,
        live_router,
        login_router,
        auth_router,
        admin_router,
        programmes_router,
        sessions_router,
        people_router,
        facilitation_router,
        join_router,
        seat_router,
        web_router,
        programme_pages,
        session_pages,
        room_pages,
        device_pages,  # before join_pages: its /join/{token} comes last
        join_pages,
        waiting_stream,
        api_docs,
        language_pages,
        transcripts_router,
        transcript_pages,
        outcomes_router,
        outcome_pages,
        questionnaire_pages,
        survey_pages,
    ):
        app.include_router(router)
    describe_errors(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
