"""What a browser gets besides the API: sign-in and sign-out (``/session``), the built dashboard
at ``/ui/`` (``/`` sends a browser there), the GraphiQL page, and the headers that keep those
pages to themselves.

The pages are files ``npm run build`` wrote into ``Settings.dashboard_dir``; they hold no data
(everything they show comes through ``/graphql``), so they are served without credentials. A
missing build is answered 503 with what to run, not a 404 that looks like a wrong address.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import jsonio, messages
from api.authentication import authenticate_request, bearer_token
from api.errors import KeygraphError
from api.middleware import refusal
from api.principals import Principal, split_token
from api.services import Services
from api.sessions import (
    SESSION_COOKIE,
    Credential,
    Requester,
    access_key_holder,
    create_session,
    end_session,
    session_principal,
)
from api.settings import Mode, Settings

SESSION_PATH = "/session"
UI_PATH = "/ui"
IDE_PAGE = "graphiql.html"
# Vite's output folder for hashed (content-named) files: cached for good, and never answered
# with the index page when one is missing.
_ASSETS = "assets"

# What the pages may load: their own files only. Vite emits module scripts and CSS files, no
# inline script, so scripts need nothing more. Styles allow inline ``style`` attributes, which
# GraphiQL's editor writes and which cannot run code. No page may frame them (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_PAGE_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_IMMUTABLE = (b"cache-control", b"public, max-age=31536000, immutable")
_REVALIDATE = (b"cache-control", b"no-cache")


def _with_headers(send: Send, extra: tuple[tuple[bytes, bytes], ...]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *_PAGE_HEADERS, *extra]
        await send(message)

    return sending


async def _not_built(scope: Scope, receive: Receive, send: Send) -> None:
    response = PlainTextResponse(messages.DASHBOARD_NOT_BUILT.format(), status_code=503)
    await response(scope, receive, _with_headers(send, (_REVALIDATE,)))


class _Files(StaticFiles):
    """The build's files; a path that names none answers the index page, where the dashboard's
    own router finds the view (``/ui/keys/<id>`` on a reload), except under ``assets/``: a
    missing script is a 404, not a page that fails as a script."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or path.split(os.sep, 1)[0] == _ASSETS:
                raise
            return await super().get_response("index.html", scope)


class Dashboard:
    """The built dashboard, mounted at ``/ui``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files = _Files(directory=directory, html=True, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._files(scope, receive, send)  # closes a WebSocket
            return
        if not (self.directory / "index.html").is_file():
            await _not_built(scope, receive, send)
            return
        route = scope["path"].removeprefix(scope.get("root_path", ""))
        hashed = route.startswith(f"/{_ASSETS}/")
        await self._files(
            scope, receive, _with_headers(send, (_IMMUTABLE if hashed else _REVALIDATE,))
        )

    async def page(self, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        """One page of the build, whatever the request's path (the IDE page on ``/graphql``)."""
        path = self.directory / name
        if not path.is_file():
            await _not_built(scope, receive, send)
            return
        await FileResponse(path)(scope, receive, _with_headers(send, (_REVALIDATE,)))


def ide_page(settings: Settings) -> ASGIApp | None:
    """The GraphiQL page of the build, outside production (it helps an attacker explore)."""
    if settings.mode is Mode.PRODUCTION:
        return None
    dashboard = Dashboard(settings.dashboard_dir)

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        await dashboard.page(IDE_PAGE, scope, receive, send)

    return serve


def session_cookie(settings: Settings, value: str, max_age: int) -> str:
    """A ``Set-Cookie`` value: script cannot read it (``HttpOnly``), no other site's page makes
    the browser send it (``SameSite=Strict``), and in production it travels only over HTTPS."""
    secure = "; Secure" if settings.mode is Mode.PRODUCTION else ""
    return f"{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"


def _refusal(status: int, error: KeygraphError) -> Response:
    return refusal(status, error.code, error.message)


class _MalformedSignIn(Exception):
    """The body is not a sign-in."""


_NO_ONE: tuple[Principal | None, Credential] = (None, Credential())


async def _signed_in_by(
    request: Request, services: Services
) -> tuple[Principal | None, Credential]:
    """The principal the request's credentials prove, and the credential: a bearer token in
    ``Authorization``, else an access key and its secret as JSON."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        token = bearer_token(authorization)
        parts = None if token is None else split_token(token)
        if token is None or parts is None:
            return _NO_ONE
        return await authenticate_request(services, token), Credential(token_id=parts[0])
    body = await request.body()
    if not body:
        return _NO_ONE
    # Only JSON: a form of another site can post text/plain without asking, JSON it cannot.
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise _MalformedSignIn
    try:
        given: Any = jsonio.loads(body)
    except (ValueError, RecursionError):
        raise _MalformedSignIn from None
    key_id = given.get("accessKeyId") if isinstance(given, dict) else None
    secret = given.get("secretAccessKey") if isinstance(given, dict) else None
    if not isinstance(key_id, str) or not isinstance(secret, str):
        raise _MalformedSignIn
    return await access_key_holder(services, key_id, secret), Credential(access_key_id=key_id)


def _requester(request: Request) -> Requester:
    state = request.scope.get("state", {})
    client = request.client
    return Requester(state.get("request_id", ""), None if client is None else client.host)


async def sign_in(request: Request) -> Response:
    """``POST /session``: a session for whoever the credentials prove, in a cookie. A session
    the browser still held ends: its cookie is about to be replaced, and a session id planted
    before sign-in (session fixation) is never the one signed in."""
    services: Services = request.app.state.services
    try:
        principal, credential = await _signed_in_by(request, services)
    except _MalformedSignIn:
        return _refusal(400, messages.SIGN_IN_BODY())
    issued = None
    if principal is not None:
        await _end_held_session(request, services)
        issued = await create_session(services, principal, credential, _requester(request))
    if issued is None:
        return _refusal(401, messages.INVALID_SECURITY_TOKEN())
    settings = services.settings
    response = JSONResponse(
        {"principal": issued.principal.arn, "expiresAt": issued.expires_at.isoformat()}
    )
    cookie = session_cookie(settings, issued.session_id, int(settings.session_max_seconds))
    response.headers.append("set-cookie", cookie)
    response.headers["cache-control"] = "no-store"
    return response


async def _end_held_session(request: Request, services: Services) -> None:
    held = request.cookies.get(SESSION_COOKIE)
    holder = None if held is None else await session_principal(services, held)
    if held is not None and holder is not None:
        await end_session(services, held, holder, _requester(request))


async def sign_out(request: Request) -> Response:
    """``DELETE /session``: the session the cookie names ends here and on every replica, and the
    browser forgets the cookie. Reached only signed in (``api.middleware``)."""
    services: Services = request.app.state.services
    state = request.scope["state"]
    session_id = state.get("session_id")
    if session_id is not None:
        await end_session(services, session_id, state["principal"], _requester(request))
    response = Response(status_code=204)
    response.headers.append("set-cookie", session_cookie(services.settings, "", 0))
    return response


async def to_dashboard(_: Request) -> Response:
    return RedirectResponse(f"{UI_PATH}/", status_code=307)


def browser_routes(settings: Settings) -> list[BaseRoute]:
    """``/`` (GET and HEAD only: AWS's protocol POSTs there), ``/session`` and ``/ui``."""
    return [
        Route("/", to_dashboard, methods=["GET", "HEAD"]),
        Route(SESSION_PATH, sign_in, methods=["POST"]),
        Route(SESSION_PATH, sign_out, methods=["DELETE"]),
        Mount(UI_PATH, app=Dashboard(settings.dashboard_dir)),
    ]
