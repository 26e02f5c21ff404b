"""The Starlette application behind ``tqcheck serve``.

Routes:

- ``POST|GET /v2/check``: LanguageTool's check protocol (see :mod:`tqcheck.server.languagetool`);
- ``GET /v2/languages``, ``GET /v2/healthcheck``: LanguageTool's language list and liveness probe;
- ``POST /api/check``: the full tqcheck JSON report (scores, evidence, skipped signals);
- ``POST /api/review``: the report plus the highlighted document for the review page;
- ``GET /health``: status, signals, queue;
- ``GET /``: the review page (self-contained, strict Content-Security-Policy).

Safety: a request-body limit and a ``max_chars`` text limit (413), a bounded queue (503) and a
per-request deadline (504) in front of the single checker thread, an optional bearer token, and
CORS only for the origins given.
"""

from __future__ import annotations

import hmac
import json
import urllib.parse
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tqcheck import __version__
from tqcheck.config import Config
from tqcheck.formats import document_from_text
from tqcheck.results import DocumentResult, Report
from tqcheck.server import languagetool as lt
from tqcheck.server.service import CheckService, CheckTimeout, QueueFull, language_confidences

STATIC = Path(__file__).parent / "static"
#: The review page loads only its own script and stylesheet and talks only to this server.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
}
FORMATS = ("text", "markdown")


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8081
    #: Bearer token required on the check endpoints (None: open, loopback only).
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    #: Longest text accepted, in characters (LanguageTool counts the same way).
    max_chars: int = 100_000
    #: Seconds a request may wait for its check (queue time included).
    timeout: float = 60.0
    #: Checks waiting or running before new ones are turned away with 503.
    queue_size: int = 16

    @property
    def max_body_bytes(self) -> int:
        # Room for form or JSON encoding of the worst case (%XX per UTF-8 byte, 4 bytes a
        # character) plus annotated-text markup; the character limit is checked after parsing.
        return self.max_chars * 12 + 1024 * 1024


def error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers or None)


class _BodyTooLarge(Exception):
    pass


class LimitsMiddleware:
    """Refuses bodies over ``max_bytes`` (413, before reading them when Content-Length says so)
    and adds security headers to every response."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS.items():
                    if key.encode() not in present:
                        headers.append((key.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        too_large = error(413, f"request body is larger than {self.max_bytes} bytes")
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await too_large(scope, receive, send_with_headers)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await too_large(scope, receive, send_with_headers)


async def _params(request: Request) -> dict[str, str]:
    """Request parameters the way LanguageTool reads them: the query string, then the body as a
    form (urlencoded or multipart) or a JSON object. LTeX sends a urlencoded body labelled
    ``application/json``, so a JSON body that does not parse is read as a form."""
    params: dict[str, str] = dict(request.query_params)
    if request.method != "POST":
        return params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if ctype == "multipart/form-data":
        form = await request.form(max_part_size=len(body) + 1)
        for key, value in form.multi_items():
            if isinstance(value, str):
                params[key] = value
            else:
                params[key] = (await value.read()).decode("utf-8", "replace")
        return params
    if not body:
        return params
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise lt.RequestError("the request body is not UTF-8") from None
    if ctype == "application/json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(value, (dict, list)):
                    params[key] = json.dumps(value, ensure_ascii=False)
                elif value is not None:
                    params[key] = value if isinstance(value, str) else json.dumps(value)
            return params
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        params[key] = value
    return params


def languagetool_check(service: CheckService, req: lt.CheckRequest) -> dict[str, Any]:
    """One /v2/check, start to finish (runs on the checker thread): check, detect, map."""
    lang = "auto" if req.language == "auto" else lt.base_language(req.language)
    confidences = language_confidences(req.text.plain)
    if req.mode == "textLevelOnly":
        # Nothing of ours is text-level only (see languagetool.MODES): answer without checking.
        doc = document_from_text(req.text.plain)
        doc.language = lang if lang != "auto" else next(iter(confidences), "en")
        return lt.check_response(Report(documents=[DocumentResult(doc)]), req, confidences=confidences)
    report = service.check_text(req.text.plain, language=lang, source_language=req.mother_tongue)
    return lt.check_response(report, req, confidences=confidences)


def create_app(
    config: Config | None = None, settings: ServeSettings | None = None, service: CheckService | None = None
) -> Starlette:
    """The ASGI app; builds the one Checker (models load once) unless ``service`` is given."""
    settings = settings or ServeSettings()
    service = service or CheckService(
        config or Config(), queue_size=settings.queue_size, timeout=settings.timeout
    )
    from tqcheck.report.html import STYLE as REPORT_STYLE

    static_files = {name: (STATIC / name).read_bytes() for name in ("index.html", "review.js", "review.css")}
    # The HTML report's stylesheet, so the document looks as it does in `--format html`.
    static_files["report.css"] = REPORT_STYLE.encode("utf-8")

    def authorized(request: Request, params: dict[str, str] | None = None) -> bool:
        if not settings.token:
            return True
        given = ""
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        elif params is not None:
            # LanguageTool clients cannot set headers, but can send LanguageTool's apiKey field.
            given = params.get("apiKey", "")
        return hmac.compare_digest(given.encode(), settings.token.encode())

    def unauthorized() -> JSONResponse:
        return error(
            401,
            "missing or wrong bearer token (Authorization: Bearer TOKEN, or apiKey=TOKEN)",
            **{"www-authenticate": 'Bearer realm="tqcheck"'},
        )

    async def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await service.run(fn, *args, **kwargs)

    def too_long(n: int) -> JSONResponse:
        return error(
            413,
            f"text is {n} characters; this server accepts at most {settings.max_chars} "
            "(tqcheck serve --max-chars)",
        )

    async def guarded(handler: Any, request: Request) -> Response:
        try:
            return await handler(request)
        except lt.RequestError as exc:
            return error(400, str(exc))
        except QueueFull as exc:
            return error(503, f"server busy: {exc}; retry shortly", **{"retry-after": "1"})
        except CheckTimeout as exc:
            return error(504, f"{exc} (tqcheck serve --timeout); send less text or raise the limit")

    # --- LanguageTool protocol -------------------------------------------------------------

    async def v2_check(request: Request) -> Response:
        params = await _params(request)
        if not authorized(request, params):
            return unauthorized()
        req = lt.CheckRequest.from_params(params)
        if len(req.text.plain) > settings.max_chars:
            return too_long(len(req.text.plain))
        return JSONResponse(await run(languagetool_check, service, req))

    async def v2_languages(request: Request) -> Response:
        return JSONResponse(lt.languages())

    async def v2_healthcheck(request: Request) -> Response:
        return PlainTextResponse("OK")

    # --- tqcheck's own API -----------------------------------------------------------------

    def own_request(params: dict[str, str]) -> dict[str, Any]:
        text = params.get("text")
        if text is None:
            raise lt.RequestError("missing 'text'")
        if len(text) > settings.max_chars:
            raise _TooLong(len(text))
        language = (params.get("language") or params.get("lang") or "auto").strip()
        language = "auto" if language.lower() == "auto" else lt.base_language(language)
        source = (params.get("source_language") or params.get("source_lang") or "").strip()
        fmt = (params.get("format") or "text").strip().lower()
        if fmt not in FORMATS:
            raise lt.RequestError(f"'format' must be one of {', '.join(FORMATS)}, not {fmt!r}")
        name = (params.get("name") or "<text>").strip()[:200] or "<text>"
        return {
            "text": text,
            "language": language,
            "fmt": fmt,
            "name": name,
            "source_language": lt.base_language(source) if source and source != "none" else None,
        }

    def report_json(args: dict[str, Any]) -> dict[str, Any]:
        from tqcheck.report.json import report_dict

        return report_dict(service.check_text(**args))

    def review_json(args: dict[str, Any]) -> dict[str, Any]:
        from tqcheck.report.json import report_dict
        from tqcheck.server.review import review_payload

        report = service.check_text(**args)
        return {"report": report_dict(report), **review_payload(report.documents[0])}

    async def api_check(request: Request) -> Response:
        return await _own(request, report_json)

    async def api_review(request: Request) -> Response:
        return await _own(request, review_json)

    async def _own(request: Request, fn: Any) -> Response:
        params = await _params(request)
        if not authorized(request, params):
            return unauthorized()
        try:
            args = own_request(params)
        except _TooLong as exc:
            return too_long(exc.n)
        return JSONResponse(await run(fn, args))

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "signals": [s.name for s in service.checker.signals],
                "skipped": [
                    {"signal": s.signal, "reason": s.reason, "fix": s.fix} for s in service.checker.skipped
                ],
                "queue": {"pending": service.pending, "limit": service.queue_size},
                "limits": {"max_chars": settings.max_chars, "timeout_s": settings.timeout},
                "auth": bool(settings.token),
                "checks": service.stats.checks,
            }
        )

    # --- review page -----------------------------------------------------------------------

    def static(name: str, media_type: str) -> Any:
        async def endpoint(request: Request) -> Response:
            return Response(static_files[name], media_type=media_type, headers={"cache-control": "no-cache"})

        return endpoint

    def wrap(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            return await guarded(handler, request)

        return endpoint

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        yield
        service.close()

    middleware = [Middleware(LimitsMiddleware, max_bytes=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type", "accept"],
                max_age=600,
            )
        )
    routes = [
        Route("/v2/check", wrap(v2_check), methods=["GET", "POST"]),
        Route("/v2/languages", v2_languages, methods=["GET"]),
        Route("/v2/healthcheck", v2_healthcheck, methods=["GET"]),
        Route("/api/check", wrap(api_check), methods=["POST"]),
        Route("/api/review", wrap(api_review), methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/", static("index.html", "text/html; charset=utf-8"), methods=["GET"]),
        Route("/static/review.js", static("review.js", "text/javascript; charset=utf-8"), methods=["GET"]),
        Route("/static/review.css", static("review.css", "text/css; charset=utf-8"), methods=["GET"]),
        Route("/static/report.css", static("report.css", "text/css; charset=utf-8"), methods=["GET"]),
    ]

    async def internal_error(request: Request, exc: Exception) -> Response:
        # uvicorn still logs the traceback; the client gets one JSON line.
        return error(500, f"internal error ({type(exc).__name__}); see the server log")

    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={Exception: internal_error},
    )
    app.state.service = service
    app.state.settings = settings
    return app


class _TooLong(Exception):
    def __init__(self, n: int) -> None:
        super().__init__(n)
        self.n = n
