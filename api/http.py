"""The ASGI application: operational routes, shared middleware, and the front doors mounted on it.

A front door (GraphQL today, perhaps an AWS-JSON endpoint later) is a route that turns requests
into calls of ``api``. This module knows nothing about GraphQL, so another front door can reuse it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from api.background import running_jobs
from api.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from api.middleware import BearerAuth, BodyLimit, RequestLog
from api.services import Services, start_services
from api.settings import Settings

PUBLIC_PATHS = ("/healthz", "/readyz", "/metrics")


@dataclass(frozen=True)
class FrontDoor:
    """Routes that serve callers, and the path of a browser IDE page that needs no token, if any."""

    routes: Sequence[BaseRoute]
    paths: Sequence[str]
    ide_path: str | None = None


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    services: Services = request.app.state.services
    readiness = await services.readiness.check()
    if readiness.ready:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "failing": list(readiness.failing)}, 503)


async def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    return PlainTextResponse(services.metrics.render(), media_type=METRICS_CONTENT_TYPE)


def _settle_the_heap() -> None:
    """Move everything start-up made (schema, catalog, modules) out of the garbage collector's
    sight, so a full collection walks only what requests allocate, and collect the youngest
    generation less often (requests allocate many short-lived objects). Measured with wrk on one
    worker, Encrypt at 16 connections: p99 133 ms to 60 ms, 448 to 505 requests/s."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def create_app(
    front_door: FrontDoor, settings: Settings, services: Services | None = None
) -> Starlette:
    """The application; given ``services`` it uses them, otherwise it starts its own on startup."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if services is not None:
            app.state.services = services
            yield
            return
        app.state.services = await start_services(settings)
        _settle_the_heap()
        try:
            async with running_jobs(app.state.services):
                yield
        finally:
            await app.state.services.aclose()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *front_door.routes,
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestLog, routes=(*PUBLIC_PATHS, *front_door.paths)),
            Middleware(BodyLimit, max_bytes=settings.limits.max_body_bytes),
            Middleware(BearerAuth, public=PUBLIC_PATHS, ide_path=front_door.ide_path),
        ],
    )
    if services is not None:
        app.state.services = services
    return app
