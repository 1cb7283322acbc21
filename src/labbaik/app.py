"""The web application: every domain's API and pages, error rendering and middleware."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from labbaik import __version__
from labbaik.auth import api as auth_api
from labbaik.auth import pages as auth_pages
from labbaik.auth import service as auth_service
from labbaik.auth.deps import LoginRequired, PageActor
from labbaik.cards import api as cards_api
from labbaik.cards import pages as cards_pages
from labbaik.db import engine_for
from labbaik.errors import DomainError
from labbaik.health import api as health_api
from labbaik.health import pages as health_pages
from labbaik.kit.timeutil import to_riyadh, utcnow
from labbaik.ledger import api as ledger_api
from labbaik.registry import api as registry_api
from labbaik.registry import import_pages
from labbaik.registry import pages as registry_pages
from labbaik.settings import Settings, get_settings
from labbaik.tafweej import api as tafweej_api
from labbaik.tafweej import pages as tafweej_pages
from labbaik.wallet import api as wallet_api
from labbaik.wallet import pages as wallet_pages
from labbaik.web.i18n import LANG_COOKIE, LANGUAGES, negotiate
from labbaik.web.templating import render

log = logging.getLogger("labbaik")

_TITLES = {
    400: "Something is not right",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    422: "Something is not right",
    500: "Something went wrong",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(request: Request, status: int, body: Mapping[str, object]) -> Response:
    if _wants_json(request):
        return JSONResponse(dict(body), status_code=status)
    context = {
        "title": _TITLES.get(status, "Something went wrong"),
        "message": body.get("detail", ""),
        "problems": body.get("problems", []),
    }
    return render(request, "web/error.html", context, status=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse(exc.as_dict(), status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        # Encoded, so that the page's own query string ('&', '#') comes back whole.
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        response = _error_response(request, exc.status, exc.as_dict())
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "message": err.get("msg", "invalid"),
            }
            for err in exc.errors()
        ]
        body = {
            "error": "invalid_input",
            "detail": "the request is not valid: "
            + "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5]),
            "problems": problems,
        }
        return _error_response(request, 422, body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error_response(request, exc.status_code, {"error": code, "detail": str(exc.detail)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        body = {
            "error": "internal_error",
            "detail": "something went wrong on our side; it has been logged",
        }
        return _error_response(request, 500, body)


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def language_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        chosen = request.query_params.get("lang")
        chosen = chosen if chosen in LANGUAGES else None
        request.state.lang_chosen = chosen
        request.state.lang = negotiate(
            chosen=chosen,
            account=None,
            cookie=request.cookies.get(LANG_COOKIE),
            accept=request.headers.get("accept-language"),
            default=settings.default_language,
        )
        response = await call_next(request)
        if chosen:
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 86400,
                samesite="lax",
                secure=settings.is_production,
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/docs", "/redoc")):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                "frame-ancestors 'none'; form-action 'self'",
            )
        return response

    # Added last so it runs first: the language middleware and the routes see request.session.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="labbaik_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.is_production,
    )


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Labbaik",
        version=__version__,
        description="The open platform for running a Hajj season. Authenticate with "
        "'Authorization: Bearer <token>'.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or engine_for(settings.database_url)
    auth_service.prepare_logins()
    _install_error_handlers(app)
    _install_middleware(app, settings)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), "static")

    @app.get("/", include_in_schema=False)
    def home(request: Request, _actor: PageActor) -> Response:
        return render(request, "web/home.html", {"today": to_riyadh(utcnow()).date()})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    # The import pages first: "/pilgrims/import" must not be taken for a pilgrim's id.
    for router in (
        auth_api.router,
        registry_api.router,
        health_api.router,
        ledger_api.router,
        tafweej_api.router,
        cards_api.router,
        wallet_api.router,
        wallet_api.merchant_router,
        wallet_pages.router,
        auth_pages.router,
        import_pages.router,
        registry_pages.router,
        health_pages.router,
        tafweej_pages.router,
        cards_pages.router,
    ):
        app.include_router(router)
    return app
