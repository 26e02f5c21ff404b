"""``tqcheck serve``: the HTTP server for editors (LanguageTool protocol, JSON API, review page).

Kept out of cli.py so that the web stack (starlette, uvicorn) is imported only when the command
runs; cli.py registers :func:`serve` with one line.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from tqcheck.cli_options import BackendOpt, EmbedOpt, RankEmbedderOpt
from tqcheck.errors import ConfigError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind and listen now, so that a port in use is one clear error before anything starts."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"cannot resolve --host {host!r} ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port"
        ) from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port", help="Port (LanguageTool's usual 8081; 0 picks a free one).", min=0, max=65535
        ),
    ] = 8081,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="TQCHECK_SERVE_TOKEN",
            help="Bearer token required on the check endpoints; mandatory off loopback.",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin",
            help="Origin allowed to call the API from a browser (repeatable), e.g. app://obsidian.md.",
        ),
    ] = None,
    max_chars: Annotated[
        int, typer.Option("--max-chars", min=1, help="Longest text accepted (413 beyond).")
    ] = 100_000,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.1, help="Seconds a request may take, queue included (504 beyond)."),
    ] = 60.0,
    queue_size: Annotated[
        int, typer.Option("--queue-size", min=1, help="Checks waiting at once before 503 Busy.")
    ] = 16,
    config_file: Annotated[Path | None, typer.Option("--config", "-c", help="tqcheck.toml to use.")] = None,
    source_lang: Annotated[
        str | None, typer.Option("--source-lang", help="Source language when a client sends no motherTongue.")
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these rule ids or prefixes.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Leave out these rule ids or prefixes.")
    ] = None,
    signals: Annotated[
        list[str] | None, typer.Option("--signals", help="Signals to run, e.g. rules,fluency.")
    ] = None,
    mt_model: Annotated[
        list[str] | None, typer.Option("--mt-model", help="SRC-TGT=ID_OR_PATH model.")
    ] = None,
    lm_model: Annotated[list[str] | None, typer.Option("--lm-model", help="LANG=ID_OR_PATH model.")] = None,
    embed_model: EmbedOpt = None,
    backend: BackendOpt = None,
    device: Annotated[str | None, typer.Option("--device", help="auto, cpu, cuda.")] = None,
    rank_embedder: RankEmbedderOpt = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help="critical, error, warning, info, debug.")
    ] = "warning",
) -> None:
    """Serve LanguageTool's /v2/check API, tqcheck's JSON API and a review page (Ctrl-C stops)."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"refusing to listen on non-loopback address {host} without --token "
            "(or TQCHECK_SERVE_TOKEN); anyone who can reach it could use the server"
        )
    if log_level not in ("critical", "error", "warning", "info", "debug"):
        raise ConfigError(f"--log-level must be critical, error, warning, info or debug, not {log_level!r}")
    try:
        import uvicorn

        from tqcheck.server.app import ServeSettings, create_app
        from tqcheck.server.service import CheckService
    except ImportError as exc:
        raise ConfigError(
            f"tqcheck serve needs the serve extra ({exc.name} is missing): pip install 'tqcheck[serve]'"
        ) from None
    from tqcheck.cli import build_config

    cfg = build_config(
        config_file,
        source_lang=source_lang,
        select=select,
        ignore=ignore,
        signals=signals,
        mt_model=mt_model,
        lm_model=lm_model,
        embed_model=embed_model,
        backend=backend,
        device=device,
        rank_embedder=rank_embedder,
    )
    settings = ServeSettings(
        host=host,
        port=port,
        token=token,
        cors_origins=tuple(cors_origin or ()),
        max_chars=max_chars,
        timeout=timeout,
        queue_size=queue_size,
    )
    sock = bind_socket(host, port)
    service = CheckService(cfg, queue_size=queue_size, timeout=timeout)
    seconds = service.warm_up()
    app = create_app(cfg, settings, service)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    names = ", ".join(s.name for s in service.checker.signals) or "none"
    skipped = "; ".join(f"{s.signal}: {s.reason}" for s in service.checker.skipped)
    sys.stderr.write(
        f"tqcheck serve: listening on http://{shown}:{actual}/ (review page /, LanguageTool API /v2, "
        f"JSON API /api/check); signals: {names}; ready in {seconds:.1f} s"
        + (f"; skipped {skipped}" if skipped else "")
        + "\n"
    )
    sys.stderr.flush()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level=log_level,
            access_log=log_level in ("info", "debug"),
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
    )
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler
    # that was there before it started. A quiet handler here makes that a normal exit (0) instead
    # of a KeyboardInterrupt traceback from inside the event loop.
    stops: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, frame: stops.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    sys.stderr.write("tqcheck serve: stopped\n")
